$version: "2.0"

namespace smithy.example

/// First block
// a plain comment between doc comment blocks
/// second block
string Joined

string SameLine /// on the line a statement ends: documents nothing

@since("1.0")
/// after a trait: documents nothing
string AfterTrait

@tags([
    /// inside a trait value: documents nothing
    "a"
])
string InTraitValue

structure Members {
    /// Documents a
    a: String = "x" /// after a default on its line: documents nothing
    b: String

    @required
    /// after a member's trait: documents nothing
    c: String
    /// at the end of a body: documents nothing
}

enum Letters {
    /// Documents A
    A
}

apply Joined {
    /// inside an apply block: documents nothing
    @deprecated
}

/// before the last line of the file: documents nothing
