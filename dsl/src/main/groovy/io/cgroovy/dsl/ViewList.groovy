package io.cgroovy.dsl

import groovy.transform.CompileStatic

/** A list of plain maps for scripts that prints as text for people (see {@link View}). */
@CompileStatic
class ViewList extends ArrayList<Object> {
    final String text

    ViewList(List<?> items, String text) {
        super(items)
        this.text = text
    }

    String render(int width) { View.cut(text, width) }

    @Override
    String toString() { text }

    /** The items as JSON (see {@link View#toJson}). */
    String toJson() { View.json(new ArrayList<Object>(this)) }
}
