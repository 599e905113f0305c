// Syntactic shape ID `Foo` does not resolve to a valid shape ID: `smithy.api#Foo`
$version: "2.0"

metadata shapes = [Foo]

namespace smithy.example

string Foo
