// Syntax error at line 7, column 1: Expected: '"', but found '[EOF]'
$version: "2.0"
namespace smithy.example

@documentation("never closed)
string A
