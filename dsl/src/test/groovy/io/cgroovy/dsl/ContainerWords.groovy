package io.cgroovy.dsl

import io.cgroovy.runtime.ContainerSettings

/** Container closures run as container(...) runs them (delegate first), without an engine: for the specs of the words. */
class ContainerWords {
    /** A fresh ContainerSpec (on a machine with {@code cpus} CPUs) after {@code body} ran on it. */
    static ContainerSpec spec(int cpus = 4, @DelegatesTo(ContainerSpec) Closure body) {
        ContainerSpec spec = new ContainerSpec(cpus)
        body.resolveStrategy = Closure.DELEGATE_FIRST
        body.delegate = spec
        body.call(spec)
        spec
    }

    /** The validated settings {@code body} makes for the image busybox. */
    static ContainerSettings settings(int cpus = 4, @DelegatesTo(ContainerSpec) Closure body) {
        spec(cpus, body).settings('busybox')
    }

    /** The DslException message {@code body} ends in (in the closure or in validation), or null when it has none. */
    static String error(Closure body) {
        try {
            settings(body)
            null
        } catch (DslException e) {
            e.message
        }
    }
}
