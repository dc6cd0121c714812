// The JDBC drivers' own URL parsers, for tests/jdbc_parity.rs: one `pg<TAB>url` or
// `mariadb<TAB>url` per line on stdin, one JSON object per line on stdout. Run as a single
// file (`java -cp <jars> JdbcOracle.java`), no build.
//
// What each line reports is what the driver would connect with: hosts, ports, database,
// user, and the TLS level on Switchboard's ladder (disable, prefer, require, verify-ca,
// verify-full), or {"error": ...} when the driver refuses the URL (parse error, or a
// value the driver refuses when it connects, such as an unknown sslmode).

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

public class JdbcOracle {
  public static void main(String[] args) throws Exception {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    StringBuilder out = new StringBuilder();
    while ((line = in.readLine()) != null) {
      int tab = line.indexOf('\t');
      String family = line.substring(0, tab);
      String url = line.substring(tab + 1);
      String result;
      try {
        result = family.equals("pg") ? pg(url) : mariadb(url);
      } catch (Throwable e) {
        result = "{\"error\":" + str(e.getClass().getSimpleName() + ": " + e.getMessage()) + "}";
      }
      out.append(result).append('\n');
    }
    System.out.print(out);
    System.out.flush();
  }

  // pgjdbc: parseURL gives the properties (null: not a URL it reads); SslMode.of is how
  // the connection factory turns ssl / sslmode into a mode (and refuses a bad sslmode).
  static String pg(String url) throws Exception {
    Properties p = org.postgresql.Driver.parseURL(url, new Properties());
    if (p == null) {
      return "{\"error\":\"parseURL returned null\"}";
    }
    org.postgresql.jdbc.SslMode mode = org.postgresql.jdbc.SslMode.of(p);
    String tls;
    switch (mode) {
      case DISABLE: tls = "disable"; break;
      // allow: plain first, TLS if refused. Switchboard has no such rung; its import says
      // so and takes prefer.
      case ALLOW: tls = "prefer"; break;
      case PREFER: tls = "prefer"; break;
      case REQUIRE: tls = "require"; break;
      case VERIFY_CA: tls = "verify-ca"; break;
      default: tls = "verify-full"; break;
    }
    List<String> hosts = split(p.getProperty("PGHOST", ""));
    List<String> ports = split(p.getProperty("PGPORT", ""));
    return "{\"hosts\":" + list(hosts) + ",\"ports\":" + list(ports)
        + ",\"database\":" + str(p.getProperty("PGDBNAME", ""))
        + ",\"user\":" + str(p.getProperty("user", ""))
        + ",\"tls\":" + str(tls) + "}";
  }

  // MariaDB Connector/J 2.x: UrlParser.parse (null: not a URL it reads). TLS is on only
  // for useSsl=true (AbstractConnectProtocol: Boolean.TRUE.equals(options.useSsl));
  // trustServerCertificate trusts any certificate; disableSslHostnameVerification keeps
  // the chain check and drops the name check.
  static String mariadb(String url) throws Exception {
    org.mariadb.jdbc.UrlParser u = org.mariadb.jdbc.UrlParser.parse(url);
    if (u == null) {
      return "{\"error\":\"UrlParser.parse returned null\"}";
    }
    org.mariadb.jdbc.util.Options o = u.getOptions();
    String tls;
    if (!Boolean.TRUE.equals(o.useSsl)) {
      tls = "disable";
    } else if (o.trustServerCertificate) {
      tls = "require";
    } else if (o.disableSslHostnameVerification) {
      tls = "verify-ca";
    } else {
      tls = "verify-full";
    }
    List<String> hosts = new ArrayList<>();
    List<String> ports = new ArrayList<>();
    for (org.mariadb.jdbc.HostAddress h : u.getHostAddresses()) {
      hosts.add(h.host == null ? "" : h.host);
      ports.add(Integer.toString(h.port));
    }
    return "{\"hosts\":" + list(hosts) + ",\"ports\":" + list(ports)
        + ",\"database\":" + str(u.getDatabase() == null ? "" : u.getDatabase())
        + ",\"user\":" + str(u.getUsername() == null ? "" : u.getUsername())
        + ",\"tls\":" + str(tls) + "}";
  }

  static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    if (!s.isEmpty()) {
      for (String x : s.split(",", -1)) {
        out.add(x);
      }
    }
    return out;
  }

  static String list(List<String> xs) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < xs.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(str(xs.get(i)));
    }
    return b.append(']').toString();
  }

  static String str(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
