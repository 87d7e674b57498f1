// The header holds the code (static inline, so Swift can inline it).
