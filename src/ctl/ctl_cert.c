/* ctl_cert.c — `qifu-ctl cert self-signed`: a TLS server certificate for
 * qifu-syncd that is its own trust anchor, made with GnuTLS's x509 API.
 *
 *   cert self-signed --cert PEM --key PEM --host H [--host H2 …]
 *                    [--days N] [--force]
 *
 * The key is ECDSA P-256 (PKCS#8 PEM, mode 0600). Each --host becomes a
 * subjectAltName: an IP address when it parses as IPv4 or IPv6, a DNS name
 * otherwise; the first is also the subject CN. Key usage is digital
 * signature, extended key usage TLS server, basic constraints CA:FALSE —
 * clients put this very file in their CA list (curl --cacert), which
 * trusts it directly, so it needs no CA powers. Validity starts an hour
 * back (clock skew) and runs N days (default 365).
 *
 * Both files are written to temporary names in their folders and only
 * then moved into place (key first), so a daemon reloading on SIGHUP never
 * reads half a file and a failed write leaves the old pair as it was.
 * An existing key or certificate is refused unless --force. The
 * certificate's dates use the real clock, never QIFU_FAKE_NOW: peers check
 * it against theirs. */
#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "qf_clock.h"

#define CTL_CERT_HOSTS_MAX   16
#define CTL_CERT_DAYS_MAX    3650
#define CTL_CERT_DAYS_DEFAULT 365
#define CTL_CERT_PATH_MAX    4000

static void ctl_cert_usage(FILE *out)
{
    fprintf(out, "usage: qifu-ctl cert self-signed --cert PEM --key PEM --host H [--host H2 ...]\n"
                 "                                [--days N] [--force]\n"
                 "  H: an IPv4/IPv6 address or a DNS name; at most %d hosts\n"
                 "  --days: 1 to %d (default %d); --force replaces existing files\n",
            CTL_CERT_HOSTS_MAX, CTL_CERT_DAYS_MAX, CTL_CERT_DAYS_DEFAULT);
}

/* A DNS name: dot-separated labels of 1..63 letters, digits and hyphens,
 * not starting or ending with a hyphen; 253 characters at most. */
static bool ctl_cert_dns_ok(const char *host)
{
    size_t label = 0, total = strlen(host);
    if (total == 0 || total > 253)
        return false;
    for (const char *p = host;; p++) {
        if (*p == '.' || *p == '\0') {
            if (label == 0 || label > 63 || p[-1] == '-')
                return false;
            if (*p == '\0')
                return true;
            label = 0;
            continue;
        }
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              (*p == '-' && label > 0)))
            return false;
        label++;
    }
}

/* Writes data with mode to a fresh temporary file beside path; its name
 * goes to tmp (tmplen bytes). The caller moves it into place with
 * ctl_cert_commit or removes it. */
static int ctl_cert_stage(const char *path, const gnutls_datum_t *data, mode_t mode, char *tmp,
                          size_t tmplen)
{
    int fd;
    size_t done = 0;

    if (snprintf(tmp, tmplen, "%s.XXXXXX", path) >= (int)tmplen) {
        fprintf(stderr, "qifu-ctl: cert: %s: path too long\n", path);
        tmp[0] = '\0';
        return -1;
    }
    fd = mkstemp(tmp); /* 0600 from the start: the key is never readable by others */
    if (fd < 0) {
        fprintf(stderr, "qifu-ctl: cert: cannot write beside %s: %s\n", path, strerror(errno));
        tmp[0] = '\0';
        return -1;
    }
    while (done < data->size) {
        ssize_t n = write(fd, data->data + done, data->size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    if (done < data->size || fchmod(fd, mode) != 0 || fsync(fd) != 0) {
        fprintf(stderr, "qifu-ctl: cert: %s: %s\n", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        tmp[0] = '\0';
        return -1;
    }
    close(fd);
    return 0;
}

/* Moves the staged file tmp to path. Without force link() is used, which
 * fails on an existing target, so nothing is ever replaced, even by a
 * race. tmp is gone afterwards either way. */
static int ctl_cert_commit(char *tmp, const char *path, bool force)
{
    int rc = force ? rename(tmp, path) : link(tmp, path);
    if (rc != 0)
        fprintf(stderr, "qifu-ctl: cert: %s: %s%s\n", path, strerror(errno),
                errno == EEXIST ? " (use --force to replace it)" : "");
    if (rc != 0 || !force)
        unlink(tmp);
    tmp[0] = '\0';
    return rc;
}

static int ctl_cert_self_signed(int argc, char **argv)
{
    const char *cert_path = NULL, *key_path = NULL, *hosts[CTL_CERT_HOSTS_MAX];
    size_t nhosts = 0;
    long days = CTL_CERT_DAYS_DEFAULT;
    bool force = false;
    gnutls_x509_privkey_t key = NULL;
    gnutls_x509_crt_t crt = NULL;
    gnutls_datum_t cert_pem = { NULL, 0 }, key_pem = { NULL, 0 };
    unsigned char serial[16], keyid[64], fpr[32];
    size_t keyid_len = sizeof keyid, fpr_len = sizeof fpr;
    time_t now = time(NULL);
    char expires[32], key_tmp[CTL_CERT_PATH_MAX + 16] = "", cert_tmp[CTL_CERT_PATH_MAX + 16] = "";
    struct stat sb;
    int grc = 0, rc = CTL_EXIT_NO;

    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--force") == 0) {
            force = true;
        } else if (i + 1 < argc && strcmp(a, "--cert") == 0 && !cert_path) {
            cert_path = argv[++i];
        } else if (i + 1 < argc && strcmp(a, "--key") == 0 && !key_path) {
            key_path = argv[++i];
        } else if (i + 1 < argc && strcmp(a, "--host") == 0 && nhosts < CTL_CERT_HOSTS_MAX) {
            hosts[nhosts++] = argv[++i];
        } else if (i + 1 < argc && strcmp(a, "--days") == 0) {
            char *end;
            days = strtol(argv[++i], &end, 10);
            if (*end || end == argv[i] || days < 1 || days > CTL_CERT_DAYS_MAX) {
                fprintf(stderr, "qifu-ctl: cert: --days must be 1 to %d\n", CTL_CERT_DAYS_MAX);
                return CTL_EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "qifu-ctl: cert self-signed: unexpected or repeated '%s'\n", a);
            ctl_cert_usage(stderr);
            return CTL_EXIT_USAGE;
        }
    }
    if (!cert_path || !key_path || nhosts == 0) {
        fprintf(stderr, "qifu-ctl: cert self-signed: --cert, --key and at least one --host are "
                        "required\n");
        ctl_cert_usage(stderr);
        return CTL_EXIT_USAGE;
    }
    if (strlen(cert_path) > CTL_CERT_PATH_MAX || strlen(key_path) > CTL_CERT_PATH_MAX ||
        strcmp(cert_path, key_path) == 0) {
        fprintf(stderr, "qifu-ctl: cert self-signed: --cert and --key must be two different, "
                        "reasonable paths\n");
        return CTL_EXIT_USAGE;
    }
    for (size_t i = 0; i < nhosts; i++) {
        unsigned char ip[16];
        if (inet_pton(AF_INET, hosts[i], ip) != 1 && inet_pton(AF_INET6, hosts[i], ip) != 1 &&
            !ctl_cert_dns_ok(hosts[i])) {
            fprintf(stderr, "qifu-ctl: cert self-signed: '%s' is neither an IP address nor a "
                            "DNS name\n",
                    hosts[i]);
            return CTL_EXIT_USAGE;
        }
    }
    if (!force && (lstat(key_path, &sb) == 0 || lstat(cert_path, &sb) == 0)) {
        fprintf(stderr, "qifu-ctl: cert self-signed: %s exists; use --force to replace the "
                        "certificate and key\n",
                lstat(key_path, &sb) == 0 ? key_path : cert_path);
        return CTL_EXIT_NO;
    }

    if ((grc = gnutls_x509_privkey_init(&key)) < 0 ||
        (grc = gnutls_x509_privkey_generate2(
             key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0, NULL,
             0)) < 0 ||
        (grc = gnutls_x509_crt_init(&crt)) < 0 || (grc = gnutls_x509_crt_set_version(crt, 3)) < 0)
        goto gnutls_failed;
    if ((grc = gnutls_rnd(GNUTLS_RND_NONCE, serial, sizeof serial)) < 0)
        goto gnutls_failed;
    serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40); /* positive, full length */
    if ((grc = gnutls_x509_crt_set_serial(crt, serial, sizeof serial)) < 0 ||
        (grc = gnutls_x509_crt_set_activation_time(crt, now - 3600)) < 0 ||
        (grc = gnutls_x509_crt_set_expiration_time(crt, now + (time_t)days * 86400)) < 0 ||
        (grc = gnutls_x509_crt_set_key(crt, key)) < 0 ||
        (grc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_ORGANIZATION_NAME, 0, "qifu",
                                             4)) < 0 ||
        (grc = gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, hosts[0],
                                             (unsigned)strlen(hosts[0]))) < 0)
        goto gnutls_failed;
    for (size_t i = 0; i < nhosts; i++) {
        unsigned char ip[16];
        if (inet_pton(AF_INET, hosts[i], ip) == 1) {
            grc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 4,
                                                       GNUTLS_FSAN_APPEND);
        } else if (inet_pton(AF_INET6, hosts[i], ip) == 1) {
            grc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_IPADDRESS, ip, 16,
                                                       GNUTLS_FSAN_APPEND);
        } else { /* a DNS name, checked above */
            grc = gnutls_x509_crt_set_subject_alt_name(crt, GNUTLS_SAN_DNSNAME, hosts[i],
                                                       (unsigned)strlen(hosts[i]),
                                                       GNUTLS_FSAN_APPEND);
        }
        if (grc < 0)
            goto gnutls_failed;
    }
    if ((grc = gnutls_x509_crt_set_basic_constraints(crt, 0, -1)) < 0 ||
        (grc = gnutls_x509_crt_set_key_usage(crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0 ||
        (grc = gnutls_x509_crt_set_key_purpose_oid(crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0 ||
        (grc = gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA1, keyid, &keyid_len)) < 0 ||
        (grc = gnutls_x509_crt_set_subject_key_id(crt, keyid, keyid_len)) < 0 ||
        (grc = gnutls_x509_crt_sign2(crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0 ||
        (grc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &cert_pem)) < 0 ||
        (grc = gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM, NULL,
                                                 GNUTLS_PKCS_PLAIN, &key_pem)) < 0 ||
        (grc = gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, fpr, &fpr_len)) < 0)
        goto gnutls_failed;

    /* Both files are staged before either is moved into place, so a failed
     * write leaves the old pair intact; the key moves first. */
    if (ctl_cert_stage(key_path, &key_pem, 0600, key_tmp, sizeof key_tmp) != 0 ||
        ctl_cert_stage(cert_path, &cert_pem, 0644, cert_tmp, sizeof cert_tmp) != 0)
        goto out;
    if (ctl_cert_commit(key_tmp, key_path, force) != 0)
        goto out;
    if (ctl_cert_commit(cert_tmp, cert_path, force) != 0) {
        if (!force)
            unlink(key_path); /* ours, made a moment ago: no key without its certificate */
        goto out;
    }
    qf_clock_format_iso8601((qf_instant)now + (qf_instant)days * QF_SECONDS_PER_DAY, expires,
                            sizeof expires);
    printf("certificate: %s\nkey: %s\nexpires: %s\nsha256:", cert_path, key_path, expires);
    for (size_t i = 0; i < fpr_len; i++)
        printf("%s%02X", i ? ":" : " ", fpr[i]);
    printf("\n");
    rc = CTL_EXIT_OK;
    goto out;

gnutls_failed:
    fprintf(stderr, "qifu-ctl: cert self-signed: %s\n", gnutls_strerror(grc));
out:
    if (key_tmp[0])
        unlink(key_tmp);
    if (cert_tmp[0])
        unlink(cert_tmp);
    if (key_pem.data) {
        memset(key_pem.data, 0, key_pem.size);
        gnutls_free(key_pem.data);
    }
    gnutls_free(cert_pem.data);
    gnutls_x509_crt_deinit(crt);
    gnutls_x509_privkey_deinit(key);
    return rc;
}

int ctl_cert_main(const ctl_options *opts, int argc, char **argv)
{
    (void)opts;
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        ctl_cert_usage(stdout);
        return CTL_EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "self-signed") == 0)
        return ctl_cert_self_signed(argc, argv);
    fprintf(stderr, "qifu-ctl: cert: unknown or missing verb\n");
    ctl_cert_usage(stderr);
    return CTL_EXIT_USAGE;
}
