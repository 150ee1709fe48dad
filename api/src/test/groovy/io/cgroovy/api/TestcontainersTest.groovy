package io.cgroovy.api

import com.github.dockerjava.api.model.ExposedPort
import com.github.dockerjava.api.model.PortBinding
import com.github.dockerjava.api.model.Ports
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assumptions
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.Timeout
import org.testcontainers.containers.GenericContainer
import org.testcontainers.containers.wait.strategy.Wait
import org.testcontainers.utility.DockerImageName

import java.nio.file.Path

import static org.junit.jupiter.api.Assertions.assertEquals
import static org.junit.jupiter.api.Assertions.assertTrue

/**
 * Testcontainers for Java (JUnit 5) against `cgroovy serve`: it finds the server through DOCKER_HOST
 * (set for this module's test JVM by its surefire configuration), starts busybox httpd with a
 * published port and talks HTTP to it, then stops and removes it.
 */
class TestcontainersTest {
    static ServedEngine served

    @BeforeAll
    static void serve() {
        String host = System.getenv('DOCKER_HOST')
        Assumptions.assumeTrue(System.getProperty('user.name') == 'root', 'needs root')
        Assumptions.assumeTrue(ServedEngine.firewallWorks(), 'a published port needs nftables or iptables-legacy in the kernel')
        Assumptions.assumeTrue(host != null && host.startsWith('unix://'), 'DOCKER_HOST names the socket to serve on (the api module sets it for Maven)')
        served = new ServedEngine(Path.of(host.substring('unix://'.length())))
    }

    @AfterAll
    static void stop() {
        served?.close()
    }

    @Test
    @Timeout(300)
    void busyboxHttpdAnswersOnItsMappedPort() {
        def c = new GenericContainer(DockerImageName.parse('busybox:latest'))
                .withExposedPorts(8080)
                // loopback only: nothing of a test is reachable from off the machine
                .withCreateContainerCmdModifier { cmd ->
                    cmd.hostConfig.withPortBindings(new PortBinding(Ports.Binding.bindIp('127.0.0.1'), ExposedPort.tcp(8080)))
                }
                .withCommand('sh', '-c', 'mkdir -p /www && echo hello-testcontainers > /www/index.html && exec httpd -f -p 8080 -h /www')
                .waitingFor(Wait.forHttp('/index.html').forStatusCode(200))
        String id
        try {
            c.start()
            id = c.containerId
            int port = c.getMappedPort(8080)
            assertEquals('hello-testcontainers\n', new URL("http://127.0.0.1:${port}/index.html").text)
            assertTrue(served.engine.inspect(id).isRunning())
            assertEquals('true', served.engine.inspect(id).labels().get('org.testcontainers'))
        } finally {
            c.stop()
        }
        assertTrue(served.engine.ps(true).every { it.id() != id }, 'Testcontainers removed its container')
    }
}
