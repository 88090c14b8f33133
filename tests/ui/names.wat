(module
  (func $f)
  (func $f)
  (func (call $g)))
