package io.cgroovy.image

import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer

import java.nio.charset.StandardCharsets
import java.nio.file.Files
import java.nio.file.Path
import java.security.KeyStore
import java.security.PrivateKey
import java.security.Signature
import java.security.cert.X509Certificate
import java.util.concurrent.CopyOnWriteArrayList

/**
 * A small token server as registries use it (the Docker token spec): GET /token?service=&scope=
 * with optional basic credentials answers a JWT signed RS256 by a key made with keytool, its
 * certificate in the header's x5c and in the bundle docker-registry trusts. Anonymous callers get
 * pull on repositories under "public/"; the one user gets pull and push everywhere.
 */
class TokenServer implements Closeable {
    static final String SERVICE = 'cgroovy-registry'
    static final String ISSUER = 'cgroovy-test-issuer'

    final HttpServer server
    final Path bundle
    final String user
    final String password
    final List<String> requests = new CopyOnWriteArrayList<>()
    private final PrivateKey key
    private final X509Certificate cert

    TokenServer(Path dir, String user, String password) {
        this.user = user
        this.password = password
        Path ks = dir.resolve('token.p12')
        TestImages.run('keytool', '-genkeypair', '-keyalg', 'RSA', '-keysize', '2048', '-alias', 'token', '-dname', 'CN=cgroovy-token',
                '-validity', '2', '-storetype', 'PKCS12', '-keystore', ks.toString(), '-storepass', 'changeit', '-keypass', 'changeit')
        def store = KeyStore.getInstance('PKCS12')
        Files.newInputStream(ks).withCloseable { store.load(it, "changeit".toCharArray()) }
        key = (PrivateKey) store.getKey('token', 'changeit'.toCharArray())
        cert = (X509Certificate) store.getCertificate('token')
        bundle = dir.resolve('token-bundle.pem')
        Files.writeString(bundle, "-----BEGIN CERTIFICATE-----\n" + Base64.mimeEncoder.encodeToString(cert.encoded) + "\n-----END CERTIFICATE-----\n")
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName('127.0.0.1'), 0), 16)
        server.createContext('/token') { HttpExchange ex -> handle(ex) }
        server.start()
    }

    String getRealm() { "http://127.0.0.1:${server.address.port}/token" }

    Map getRegistryAuth() { [token: [realm: realm, service: SERVICE, issuer: ISSUER, bundle: bundle]] }

    private void handle(HttpExchange ex) {
        try {
            def q = parseQuery(ex.requestURI.rawQuery)
            requests << ex.requestURI.rawQuery
            String auth = ex.requestHeaders.getFirst('Authorization')
            boolean known = false
            if (auth != null) {
                def plain = new String(Base64.decoder.decode(auth.substring('Basic '.length())), StandardCharsets.UTF_8)
                if (plain != "$user:$password") {
                    reply(ex, 401, '{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}')
                    return
                }
                known = true
            }
            def access = []
            for (String scope : q.scope ?: []) {
                def (type, name, actions) = scope.split(':') as List
                def allowed = actions.split(',').findAll { a -> known || (a == 'pull' && name.startsWith('public/')) }
                if (allowed) access << [type: type, name: name, actions: allowed]
            }
            long now = System.currentTimeMillis().intdiv(1000)
            def header = [alg: 'RS256', typ: 'JWT', x5c: [Base64.encoder.encodeToString(cert.encoded)]]
            def claims = [iss: ISSUER, sub: known ? user : '', aud: q.service?.get(0) ?: SERVICE, exp: now + 600, nbf: now - 60,
                          iat: now - 60, jti: UUID.randomUUID().toString(), access: access]
            def enc = { Object o -> Base64.urlEncoder.withoutPadding().encodeToString(TestImages.json(o).getBytes(StandardCharsets.UTF_8)) }
            String signingInput = enc(header) + '.' + enc(claims)
            def sig = Signature.getInstance('SHA256withRSA')
            sig.initSign(key)
            sig.update(signingInput.getBytes(StandardCharsets.US_ASCII))
            String jwt = signingInput + '.' + Base64.urlEncoder.withoutPadding().encodeToString(sig.sign())
            reply(ex, 200, TestImages.json([token: jwt, access_token: jwt, expires_in: 600]))
        } catch (Throwable t) {
            reply(ex, 500, String.valueOf(t))
        }
    }

    private static Map<String, List<String>> parseQuery(String raw) {
        def out = [:].withDefault { [] }
        raw?.split('&')?.each { kv ->
            def i = kv.indexOf('=')
            if (i > 0) out[URLDecoder.decode(kv.substring(0, i), 'UTF-8')] << URLDecoder.decode(kv.substring(i + 1), 'UTF-8')
        }
        out
    }

    private static void reply(HttpExchange ex, int status, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8)
        ex.responseHeaders.set('Content-Type', 'application/json')
        ex.sendResponseHeaders(status, b.length)
        ex.responseBody.withCloseable { it.write(b) }
    }

    @Override
    void close() { server.stop(0) }
}
