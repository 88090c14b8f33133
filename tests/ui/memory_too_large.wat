(module
  (memory 70000))
