$version: "2.0"
namespace smithy.example

/// Hello!
enum Foo {
    /// Hello1
    BAR = "hi"

    /// Hello2
    BAZ = "there"
}
