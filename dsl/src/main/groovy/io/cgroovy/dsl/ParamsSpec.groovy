package io.cgroovy.dsl

import groovy.transform.CompileStatic

/**
 * The closure of {@code params { port 8080; tag String }}: each line declares a parameter with its
 * default (whose type the value given with {@code -p port=9090} is coerced to) or, with a type
 * instead of a value, a parameter that must be given.
 */
@CompileStatic
class ParamsSpec {
    /** Declared parameters in order: name → default value, or the Class of a required one. */
    final Map<String, Object> declared = new LinkedHashMap<>()
    private final Map<String, StackTraceElement[]> where = [:]

    def methodMissing(String name, Object args) {
        Object[] a = (Object[]) args
        if (a.length != 1) throw new DslException("params: write '${name} DEFAULT' (or '${name} String' for one that must be given)")
        if (declared.containsKey(name)) throw new DslException("params: '${name}' declared twice")
        declared.put(name, a[0])
        where.put(name, new Throwable().stackTrace)
        null
    }

    def propertyMissing(String name) {
        throw new DslException("params: '${name}' needs a default: ${name} VALUE (or ${name} String when it must be given)")
    }

    /**
     * The values: each default, replaced by the given text coerced to the default's type.
     * Unknown names, missing required ones and bad values are one-line errors.
     */
    Map<String, Object> resolve(Map<String, String> given) {
        given.keySet().each { String k ->
            if (!declared.containsKey(k)) {
                String hint = Suggest.didYouMean(k, declared.keySet())
                throw new DslException("unknown parameter '${k}'${hint ?: declared ? " (the recipe's are: ${declared.keySet().join(', ')})" : ''}".toString())
            }
        }
        Map<String, Object> values = new LinkedHashMap<>()
        declared.each { String k, Object d ->
            if (given.containsKey(k)) {
                values.put(k, coerce(k, given[k], d))
            } else if (d instanceof Class) {
                throw new DslException("parameter '${k}' must be given: -p ${k}=VALUE".toString(), where[k])
            } else {
                values.put(k, d)
            }
        }
        values
    }

    /** The text of {@code -p name=text} as the type of {@code d} (a default, or the Class of a required parameter). */
    static Object coerce(String name, String text, Object d) {
        Class<?> type = d instanceof Class ? (Class<?>) d : d == null ? String : d.getClass()
        String t = text.trim()
        try {
            switch (type) {
                case Integer: case int: return Integer.valueOf(t)
                case Long: case long: return Long.valueOf(t)
                case BigInteger: return new BigInteger(t)
                case Double: case double: return Double.valueOf(t)
                case Float: case float: return Float.valueOf(t)
                case BigDecimal: return new BigDecimal(t)
                case Boolean: case boolean:
                    if (t.toLowerCase() in ['true', 'yes', 'on', '1']) return true
                    if (t.toLowerCase() in ['false', 'no', 'off', '0']) return false
                    throw new NumberFormatException()
                case List: return t.isEmpty() ? [] : t.split(',').collect { String s -> s.trim() }
                default: return text
            }
        } catch (NumberFormatException ignored) {
            String kind = type in [Integer, Long, BigInteger, int, long] ? 'a whole number' :
                    type in [Boolean, boolean] ? 'true or false' : 'a number'
            throw new DslException("parameter '${name}': '${text}' is not ${kind}".toString())
        }
    }
}
