(module
  (func (param i32)
    (block $outer
      (br $inner))))
