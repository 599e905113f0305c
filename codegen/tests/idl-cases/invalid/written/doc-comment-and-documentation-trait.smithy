// Conflicting `smithy.api#documentation` trait found on shape `smithy.example#Foo`
$version: "2.0"

namespace smithy.example

/// From the comment
@documentation("From the trait")
string Foo
