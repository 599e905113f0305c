// smithy.example#Numbers$TWO: intEnum members must be assigned an integer value
$version: "2.0"

namespace smithy.example

intEnum Numbers {
    ONE = 1
    TWO
}
