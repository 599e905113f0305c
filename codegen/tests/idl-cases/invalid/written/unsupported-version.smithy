// Syntax error at line 2, column 16: Unsupported Smithy version number: 999
$version: "999"
namespace smithy.example
