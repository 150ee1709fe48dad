package io.cgroovy.dsl

import org.codehaus.groovy.control.CompilerConfiguration
import spock.lang.Specification

/** The word docs the shell's :help shows: about words that exist, with examples that compile. */
class WordDocsSpec extends Specification {
    def "every documented word is a word of its scope, with a usage, a summary and an example"() {
        expect:
        WordDocs.all().every { WordDocs.Doc d -> WordDocs.words(d.scope).contains(d.word) }
        WordDocs.all().every { WordDocs.Doc d -> d.usage && d.summary && d.example }
    }

    def "each example compiles as a recipe: #doc.word"() {
        when:
        new GroovyShell(new Binding(), new CompilerConfiguration(Recipe.compilerConfiguration())).parse(doc.example)

        then:
        noExceptionThrown()

        where:
        doc << WordDocs.all()
    }

    def "queries are the words that only look"() {
        expect:
        !WordDocs.changesState('images')
        WordDocs.changesState('container')
        WordDocs.changesState('tag')
    }
}
