(module
  (func
    i32.frobnicate))
