// Member conflicts with an inherited mixin member: `smithy.example#Base$a`
$version: "2.0"

namespace smithy.example

@mixin
structure Base {
    a: String
}

structure Derived with [Base] {
    a: Integer
}
