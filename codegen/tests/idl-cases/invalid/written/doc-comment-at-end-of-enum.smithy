// Syntax error at line 9, column 1: Expected IDENTIFIER but found RBRACE('}')
$version: "2.0"

namespace smithy.example

enum Letters {
    A
    /// A documentation comment is followed by a member in an enum body.
}
