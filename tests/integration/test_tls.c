/* test_tls.c — the daemon's TLS promises, checked with a GnuTLS client of
 * our own: a returning client resumes its session (TLS 1.3 and 1.2) instead
 * of a full handshake, and the connection stays open for a second request
 * (keep-alive). Certificate, protocol floor and SIGHUP reload are covered
 * in test_devices.c. */
#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

static int setup(void **state)
{
    static harness h;
    memset(&h, 0, sizeof h);
    harness_start(&h, true);
    *state = &h;
    return 0;
}

static int teardown(void **state)
{
    harness_stop(*state);
    return 0;
}

static int connect_to(const harness *h)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    const char *port = strrchr(h->base, ':');
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    assert_non_null(port);
    sa.sin_port = htons((uint16_t)atoi(port + 1));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

/* True once buf holds a whole response: headers and Content-Length bytes. */
static int response_complete(const char *buf, size_t got)
{
    const char *end = strstr(buf, "\r\n\r\n");
    const char *cl = strstr(buf, "Content-Length: ");
    if (!end || !cl)
        return 0;
    return got >= (size_t)(end + 4 - buf) + strtoul(cl + 16, NULL, 10);
}

/* Sends one GET /healthz on the session and reads one whole response. */
static void get_healthz(gnutls_session_t s, int close_after)
{
    char req[128], buf[4096];
    size_t got = 0;
    snprintf(req, sizeof req, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n",
             close_after ? "Connection: close\r\n" : "");
    assert_int_equal(gnutls_record_send(s, req, strlen(req)), (ssize_t)strlen(req));
    while (got < sizeof buf - 1) {
        ssize_t n = gnutls_record_recv(s, buf + got, sizeof buf - 1 - got);
        if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
        buf[got] = '\0';
        if (response_complete(buf, got))
            break;
    }
    buf[got] = '\0';
    if (!strstr(buf, "HTTP/1.1 200") || !strstr(buf, "\"status\":\"ok\""))
        fail_msg("unexpected answer: %s", buf);
}

/* One connection; returns whether it resumed. *data carries the session
 * from one connection to the next. */
static int one_connection(const harness *h, const char *priority, gnutls_datum_t *data,
                          int requests)
{
    gnutls_certificate_credentials_t cred;
    gnutls_session_t s;
    int fd = connect_to(h), resumed, rc;

    assert_int_equal(gnutls_certificate_allocate_credentials(&cred), 0);
    assert_true(gnutls_certificate_set_x509_trust_file(cred, h->cert, GNUTLS_X509_FMT_PEM) > 0);
    assert_int_equal(gnutls_init(&s, GNUTLS_CLIENT), 0);
    assert_int_equal(gnutls_priority_set_direct(s, priority, NULL), 0);
    assert_int_equal(gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred), 0);
    gnutls_session_set_verify_cert(s, "127.0.0.1", 0);
    if (data->data)
        assert_int_equal(gnutls_session_set_data(s, data->data, data->size), 0);
    gnutls_transport_set_int(s, fd);
    do
        rc = gnutls_handshake(s);
    while (rc < 0 && !gnutls_error_is_fatal(rc));
    if (rc < 0)
        fail_msg("handshake: %s", gnutls_strerror(rc));
    for (int i = 0; i < requests; i++)
        get_healthz(s, i == requests - 1);
    resumed = gnutls_session_is_resumed(s);
    /* The TLS 1.3 ticket arrives after the handshake; read the response
     * first, then take the session data. */
    gnutls_free(data->data);
    data->data = NULL;
    assert_int_equal(gnutls_session_get_data2(s, data), 0);
    gnutls_bye(s, GNUTLS_SHUT_WR);
    gnutls_deinit(s);
    gnutls_certificate_free_credentials(cred);
    close(fd);
    return resumed;
}

static void check_resumption(const harness *h, const char *priority)
{
    gnutls_datum_t data = { NULL, 0 };
    assert_false(one_connection(h, priority, &data, 1));
    assert_true(one_connection(h, priority, &data, 1));
    assert_true(one_connection(h, priority, &data, 1));
    gnutls_free(data.data);
}

static void test_tls13_session_is_resumed(void **state)
{
    check_resumption(*state, "NORMAL:-VERS-ALL:+VERS-TLS1.3");
}

static void test_tls12_session_is_resumed(void **state)
{
    check_resumption(*state, "NORMAL:-VERS-ALL:+VERS-TLS1.2");
}

static void test_connection_is_kept_alive_between_requests(void **state)
{
    gnutls_datum_t data = { NULL, 0 };
    /* three requests on one TLS connection; a close after the first would
     * make the second gnutls_record_send or the read fail */
    one_connection(*state, "NORMAL", &data, 3);
    gnutls_free(data.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls13_session_is_resumed),
        cmocka_unit_test(test_tls12_session_is_resumed),
        cmocka_unit_test(test_connection_is_kept_alive_between_requests),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
