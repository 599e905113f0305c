// Member conflicts with an inherited mixin member: `smithy.example#Both$member`
$version: "2.0"

namespace smithy.example

@mixin
list Strings {
    member: String
}

@mixin
list Integers {
    member: Integer
}

list Both with [Strings, Integers] {}
