// Syntactic shape ID `Missing` does not resolve to a valid shape ID: `smithy.example#Missing`
$version: "2.0"

namespace smithy.example

@tags([Missing])
string Foo
