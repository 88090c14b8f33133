(module
  (func (nop)))
)
