// Cannot use name `other.ns#Name` because it conflicts with `first.ns#Name`
$version: "2.0"
namespace smithy.example

use first.ns#Name
use other.ns#Name
