$version: "2.0"

namespace smithy.example

@mixin
structure First {
    @required
    a: String
}

@mixin
structure Second {
    @since("2")
    a: String
    b: Integer
}

structure Both with [First, Second] {
    @documentation("own")
    a: String
    c: Boolean
}
