;; GC and exception names: a field the struct type does not name, a tag never defined, and a
;; catch clause naming its own try_table (its labels are outside it).
(module
  (type $point (struct (field $x i32) (field $y i32)))
  (func (param $p (ref $point)) (result i32)
    (struct.get $point $z (local.get $p)))
  (func
    (throw $missing))
  (func
    (block $out
      (try_table $t (catch_all $t)))))
