// Syntax error at line 6, column 1: Expected one of STRING('"'), TEXT_BLOCK('"""'), NUMBER, IDENTIFIER, LBRACE('{'), LBRACKET('['); but found EOF
$version: "2.0"
namespace smithy.example

@tags(["a",
