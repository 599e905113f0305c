// Syntax error at line 6, column 16: Error parsing quoted string: Invalid string character: ``
$version: "2.0"

namespace smithy.example

@documentation("ab")
string Foo
