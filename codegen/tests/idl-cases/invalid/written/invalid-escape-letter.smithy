// Syntax error at line 6, column 16: Error parsing quoted string: Invalid escape found in string: `\a`
$version: "2.0"

namespace smithy.example

@documentation("\a")
string Foo
