// Syntax error at line 6, column 27: Expected one or more whitespace characters, but found RBRACE('}')
$version: "2.0"

namespace smithy.example

operation Op { input: Unit}
