// Syntax error at line 5, column 10: Mixins can only be used with Smithy version 2 or later. Attempted to use mixins with version `1.0`.
$version: "1.0"
namespace smithy.example

string A with [B]

@mixin
string B
