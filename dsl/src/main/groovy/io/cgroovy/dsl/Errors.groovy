package io.cgroovy.dsl

import groovy.transform.CompileStatic
import org.codehaus.groovy.control.MultipleCompilationErrorsException
import org.codehaus.groovy.control.messages.ExceptionMessage
import org.codehaus.groovy.control.messages.Message
import org.codehaus.groovy.control.messages.SyntaxErrorMessage
import org.codehaus.groovy.runtime.InvokerInvocationException
import org.codehaus.groovy.syntax.SyntaxException

import java.lang.reflect.InvocationTargetException
import java.lang.reflect.UndeclaredThrowableException

/** Turns any failure of DSL code into the one line a user sees, and finds the script line it came from. */
@CompileStatic
final class Errors {
    private Errors() {}

    /** The cause that matters: reflection and Groovy invocation wrappers removed. */
    static Throwable unwrap(Throwable t) {
        Throwable e = t
        while ((e instanceof InvokerInvocationException || e instanceof InvocationTargetException
                || e instanceof UndeclaredThrowableException || e instanceof ExceptionInInitializerError) && e.cause != null) {
            e = e.cause
        }
        e
    }

    /** One line: the message (its first line), or the class name when there is none. */
    static String message(Throwable t) {
        Throwable e = unwrap(t)
        if (e instanceof MultipleCompilationErrorsException) {
            SyntaxException s = syntaxError((MultipleCompilationErrorsException) e)
            if (s != null) return syntaxMessage(firstLine(s.originalMessage))
            Message m = ((MultipleCompilationErrorsException) e).errorCollector.errors ? ((MultipleCompilationErrorsException) e).errorCollector.errors[0] : null
            if (m instanceof ExceptionMessage) return message(((ExceptionMessage) m).cause)
        }
        if (e instanceof MissingPropertyException && Script.isAssignableFrom(((MissingPropertyException) e).type)) {
            return "unknown variable '${((MissingPropertyException) e).property}'".toString()
        }
        String word = wordMistake(e)
        if (word != null) return word
        if (e instanceof InterruptedException) return 'interrupted'
        e.message == null || e.message.isBlank() ? e.class.simpleName : firstLine(e.message)
    }

    /**
     * A method or property a DSL handle or closure ({@link WordScope}) does not have: "unknown method
     * 'stpo' of a Container — did you mean 'stop'?"; a known one called with the wrong arguments gets its
     * usage. Null for other errors.
     */
    private static String wordMistake(Throwable e) {
        Class<?> type = e instanceof MissingMethodException ? ((MissingMethodException) e).type
                : e instanceof MissingPropertyException ? ((MissingPropertyException) e).type : null
        WordScope scope = type?.getAnnotation(WordScope)
        if (scope == null || Script.isAssignableFrom(type)) return null
        String what = scope.value()
        String article = what =~ /^[AEIOUaeiou]/ ? 'an' : 'a'
        if (e instanceof MissingMethodException) {
            MissingMethodException m = (MissingMethodException) e
            Words.Entry known = Words.find(what, m.method)
            if (known != null) {
                String given = m.arguments.collect { Object a -> a == null ? 'null' : a.getClass().simpleName }.join(', ')
                return "${m.method} of ${article} ${what} does not take (${given}); usage: ${known.usage}".toString()
            }
            return "unknown method '${m.method}' of ${article} ${what}${Words.didYouMean(m.method, what)}".toString()
        }
        String name = ((MissingPropertyException) e).property
        "unknown property '${name}' of ${article} ${what}${Words.didYouMean(name, what)}".toString()
    }

    /**
     * The line of the script (source file {@code fileName}) where {@code t} happened: the
     * innermost frame of that file, or the line of a syntax error. Null when there is none.
     */
    static Integer line(Throwable t, String fileName) {
        Throwable e = unwrap(t)
        if (e instanceof MultipleCompilationErrorsException) {
            SyntaxException s = syntaxError((MultipleCompilationErrorsException) e)
            return s == null ? null : s.line
        }
        for (Throwable c = e; c != null; c = c.cause) {
            for (StackTraceElement f : c.stackTrace) {
                if (f.fileName == fileName && f.lineNumber > 0) return f.lineNumber
            }
        }
        null
    }

    /** "path:line: message" for a recipe ("path: message" when no line is known). */
    static String forRecipe(Throwable t, String path, String fileName) {
        Integer line = line(t, fileName)
        "${path}${line == null ? '' : ':' + line}: ${message(t)}".toString()
    }

    private static SyntaxException syntaxError(MultipleCompilationErrorsException e) {
        for (Object m : e.errorCollector.errors) {
            if (m instanceof SyntaxErrorMessage) return ((SyntaxErrorMessage) m).cause
        }
        null
    }

    /** Groovy quotes everything from the start of the rule to the bad token; keep only the token. */
    private static String syntaxMessage(String m) {
        java.util.regex.Matcher u = m =~ /^Unexpected input: '(.*)'$/
        if (!u.matches()) return m
        List<String> tokens = u.group(1).split(/(\\n|\s)+/).findAll { String t -> !t.isEmpty() }
        tokens ? "Unexpected input: '${tokens.last()}'".toString() : m
    }

    private static String firstLine(String s) {
        String line = s.readLines().find { !it.isBlank() } ?: s
        line.trim()
    }
}
