(module
  (func (result i32)
    i64.const 1)
  (func (param i32)
    local.get 0
    f32.neg
    drop)
  (func (result i32) i32.const 1))
