$version: "2.0"

namespace smithy.example

enum Implicit {
    A
    B = "b"
    @enumValue("c")
    C
    D
}

intEnum ByTrait {
    @enumValue(1)
    ONE

    TWO = 2

    THREE
}

apply Implicit$D @enumValue("d")

apply ByTrait$THREE @enumValue(3)
