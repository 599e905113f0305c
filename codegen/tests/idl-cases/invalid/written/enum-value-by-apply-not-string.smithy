// enum members can only be assigned string values, but found: 1
$version: "2.0"

namespace smithy.example

enum Letters {
    A
}

apply Letters$A @enumValue(1)
