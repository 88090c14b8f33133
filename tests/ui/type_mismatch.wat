(module
  (func $add (param $a i32) (param $b i64) (result i32)
    local.get $a
    local.get $b
    i32.add))
