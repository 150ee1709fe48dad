package io.cgroovy.runtime.cgroup

import org.junit.platform.launcher.core.LauncherFactory
import org.junit.platform.launcher.listeners.SummaryGeneratingListener
import spock.lang.Requires
import spock.lang.Shared
import spock.lang.Specification

import java.nio.file.Files

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request

/**
 * The leak check every spec gets (io.cgroovy.testing.CgroupLeakExtension, from image-store's test jar) really fails
 * a spec that leaves a cgroup behind, naming it: a fixture that forgets its container cgroup is run through its own
 * JUnit Platform launcher, on whatever cgroup version this kernel has.
 */
@Requires({ CgroupTestSupport.isRoot() })
class CgroupLeakCheckSpec extends Specification {
    @Shared String cgroupParent = CgroupTestSupport.uniqueParent('leakcheck')

    def cleanup() {
        LeakingFixture.parent = null // surefire with a -Dtest pattern may pick the fixture up: it skips itself then
        LeakingFixture.tidy = false
        def cgroups = Cgroups.detect(cgroupParent)
        cgroups.open('forgotten').ifPresent { it.close() }
        cgroups.removeParent()
    }

    def "a spec that leaves a cgroup behind fails, naming the cgroup, after the feature and after the spec"() {
        given:
        LeakingFixture.parent = cgroupParent
        def listener = new SummaryGeneratingListener()

        when:
        LauncherFactory.create().execute(request().selectors(selectClass(LeakingFixture)).build(), listener)
        def messages = listener.summary.failures*.exception*.message

        then: 'the fixture did make it (the check is not fooled by nothing happening)'
        Cgroups.detect(cgroupParent).containerIds() == ['forgotten']
        listener.summary.testsStartedCount == 1

        and: 'its feature failed naming the container cgroup, the spec naming the parent left behind'
        messages.size() == 2
        messages.any { it ==~ /cgroup left behind by 'forgets its container cgroup': \/sys\/fs\/cgroup\/.*${cgroupParent}\/forgotten.*/ }
        messages.any { it ==~ /cgroup left behind by .*LeakingFixture: \/sys\/fs\/cgroup\/.*${cgroupParent}.*/ }
    }

    def "a spec that removes what it made passes"() {
        given:
        LeakingFixture.parent = cgroupParent
        LeakingFixture.tidy = true
        def listener = new SummaryGeneratingListener()

        when:
        LauncherFactory.create().execute(request().selectors(selectClass(LeakingFixture)).build(), listener)

        then:
        listener.summary.testsSucceededCount == 1
        listener.summary.totalFailureCount == 0
        Cgroups.detect(cgroupParent).parentDirs().every { !Files.exists(it) }
    }
}

/** Run only by CgroupLeakCheckSpec (its name is neither *Spec nor *Test): makes a container cgroup and, unless tidy, forgets it. */
@Requires(value = { LeakingFixture.parent != null }, reason = 'a fixture that CgroupLeakCheckSpec runs itself')
class LeakingFixture extends Specification {
    static String parent
    static boolean tidy
    @Shared String cgroupParent = parent
    @Shared Cgroups cgroups = Cgroups.detect(parent)

    def cleanupSpec() {
        if (tidy) cgroups.removeParent()
    }

    def "forgets its container cgroup"() {
        when:
        def cg = cgroups.create('forgotten', Resources.NONE)
        if (tidy) cg.close()

        then:
        cgroups.containerIds() == (tidy ? [] : ['forgotten'])
    }
}
