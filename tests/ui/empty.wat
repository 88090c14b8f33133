;; nothing here yet
