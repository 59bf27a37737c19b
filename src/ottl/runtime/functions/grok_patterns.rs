//! The grok pattern definitions `ExtractGrokPatterns` knows by name: those of
//! github.com/elastic/go-grok v0.3.1 (the version v0.156.0 vendors), Apache License 2.0,
//! Copyright Elasticsearch B.V., as its `NewComplete()` loads them (the default set plus the
//! AWS, Bind9, Bro, Exim, HAProxy, Httpd, firewall, Java, Junos, Maven, MCollective, MongoDB,
//! PostgreSQL, Rails, Redis, Ruby, Squid and Syslog sets; no name occurs twice). Data only,
//! generated from those definitions and sorted by name for binary search.

/// (name, Go RE2 pattern with `%{...}` references), sorted by name.
pub static PATTERNS: &[(&str, &str)] = &[
    ("BASE10NUM", r#"([+-]?(?:[0-9]+(?:\.[0-9]+)?)|\.[0-9]+)"#),
    (
        "BASE16FLOAT",
        r#"[+-]?(?:0x)?[0-9A-Fa-f]+(?:\.[0-9A-Fa-f]*)?"#,
    ),
    ("BASE16NUM", r#"[+-]?(?:0x)?[0-9A-Fa-f]+"#),
    ("BIND9", r#"%{BIND9_QUERYLOG}"#),
    ("BIND9_CATEGORY", r#"(?:queries)"#),
    (
        "BIND9_DNSTYPE",
        r#"(?:A|AAAA|CAA|CDNSKEY|CDS|CERT|CNAME|CSYNC|DLV|DNAME|DNSKEY|DS|HINFO|LOC|MX|NAPTR|NS|NSEC|NSEC3|OPENPGPKEY|PTR|RRSIG|RP|SIG|SMIMEA|SOA|SRV|TSIG|TXT|URI|IN)"#,
    ),
    (
        "BIND9_QUERYLOG",
        r#"%{BIND9_TIMESTAMP:timestamp} %{BIND9_CATEGORY:bing.log.category}: %{LOGLEVEL:log.level}: %{BIND9_QUERYLOGBASE}"#,
    ),
    (
        "BIND9_QUERYLOGBASE",
        r#"client(:? @0x(?:[0-9A-Fa-f]+))? %{IP:client.address}#%{POSINT:client.port:int} \(%{GREEDYDATA:bind.log.question.name}\): query: %{GREEDYDATA:dns.question.name} (?P<dns___question___class>(?:IN)) %{BIND9_DNSTYPE:dns.question.type}(:? %{DATA:bind.log.question.flags})? \(%{IP:server.address}\)"#,
    ),
    (
        "BIND9_TIMESTAMP",
        r#"%{MONTHDAY}[-]%{MONTH}[-]%{YEAR} %{TIME}"#,
    ),
    ("BOOL", r#"true|false"#),
    ("BRO_BOOL", r#"[TF]"#),
    (
        "BRO_CONN",
        r#"%{NUMBER:timestamp}\t%{NOTSPACE:zeek.session_id}\t%{IP:source.address}\t%{INT:source.port:int}\t%{IP:destination.address}\t%{INT:destination.port:int}\t%{WORD:network.transport}\t(?:-|%{BRO_DATA:network.protocol.name})\t(?:-|%{NUMBER:zeek.connection.duration:float})\t(?:-|%{INT:zeek.connection.orig_bytes:long})\t(?:-|%{INT:zeek.connection.resp_bytes:long})\t(?:-|%{BRO_DATA:zeek.connection.state})\t(?:-|%{BRO_BOOL:zeek.connection.local_orig})\t(?:(?:-|%{BRO_BOOL:zeek.connection.local_resp})\t)?(?:-|%{INT:zeek.connection.missed_bytes:long})\t(?:-|%{BRO_DATA:zeek.connection.history})\t(?:-|%{INT:source.packets:long})\t(?:-|%{INT:source.bytes:long})\t(?:-|%{INT:destination.packets:long})\t(?:-|%{INT:destination.bytes:long})\t(?:\(empty\)|%{BRO_DATA:zeek.connection.tunnel_parents})"#,
    ),
    ("BRO_DATA", r#"[^\t]+"#),
    (
        "BRO_DNS",
        r#"%{NUMBER:timestamp}\t%{NOTSPACE:zeek.session_id}\t%{IP:source.address}\t%{INT:source.port:int}\t%{IP:destination.address}\t%{INT:destination.port:int}\t%{WORD:network.transport}\t(?:-|%{INT:dns.id:int})\t(?:-|%{BRO_DATA:dns.question.name})\t(?:-|%{INT:zeek.dns.qclass:int})\t(?:-|%{BRO_DATA:zeek.dns.qclass_name})\t(?:-|%{INT:zeek.dns.qtype:int})\t(?:-|%{BRO_DATA:dns.question.type})\t(?:-|%{INT:zeek.dns.rcode:int})\t(?:-|%{BRO_DATA:dns.response_code})\t(?:-|%{BRO_BOOL:zeek.dns.AA})\t(?:-|%{BRO_BOOL:zeek.dns.TC})\t(?:-|%{BRO_BOOL:zeek.dns.RD})\t(?:-|%{BRO_BOOL:zeek.dns.RA})\t(?:-|%{NONNEGINT:zeek.dns.Z:int})\t(?:-|%{BRO_DATA:zeek.dns.answers})\t(?:-|%{DATA:zeek.dns.TTLs})\t(?:-|%{BRO_BOOL:zeek.dns.rejected})"#,
    ),
    (
        "BRO_FILES",
        r#"%{NUMBER:timestamp}\t%{NOTSPACE:zeek.files.fuid}\t(?:-|%{IP:server.address})\t(?:-|%{IP:client.address})\t(?:-|%{BRO_DATA:zeek.files.session_ids})\t(?:-|%{BRO_DATA:zeek.files.source})\t(?:-|%{INT:zeek.files.depth:int})\t(?:-|%{BRO_DATA:zeek.files.analyzers})\t(?:-|%{BRO_DATA:file.mime_type})\t(?:-|%{BRO_DATA:file.name})\t(?:-|%{NUMBER:zeek.files.duration:float})\t(?:-|%{BRO_DATA:zeek.files.local_orig})\t(?:-|%{BRO_BOOL:zeek.files.is_orig})\t(?:-|%{INT:zeek.files.seen_bytes:long})\t(?:-|%{INT:file.size:long})\t(?:-|%{INT:zeek.files.missing_bytes:long})\t(?:-|%{INT:zeek.files.overflow_bytes:long})\t(?:-|%{BRO_BOOL:zeek.files.timedout})\t(?:-|%{BRO_DATA:zeek.files.parent_fuid})\t(?:-|%{BRO_DATA:file.hash.md5})\t(?:-|%{BRO_DATA:file.hash.sha1})\t(?:-|%{BRO_DATA:file.hash.sha256})\t(?:-|%{BRO_DATA:zeek.files.extracted})"#,
    ),
    (
        "BRO_HTTP",
        r#"%{NUMBER:timestamp}\t%{NOTSPACE:zeek.session_id}\t%{IP:source.address}\t%{INT:source.port:int}\t%{IP:destination.address}\t%{INT:destination.port:int}\t%{INT:zeek.http.trans_depth:int}\t(?:-|%{WORD:http.request.method})\t(?:-|%{BRO_DATA:url.domain})\t(?:-|%{BRO_DATA:url.original})\t(?:-|%{BRO_DATA:http.request.referrer})\t(?:-|%{BRO_DATA:user_agent.original})\t(?:-|%{NUMBER:http.request.body.size:long})\t(?:-|%{NUMBER:http.response.body.size:long})\t(?:-|%{POSINT:http.response.status_code:int})\t(?:-|%{DATA:zeek.http.status_msg})\t(?:-|%{POSINT:zeek.http.info_code:int})\t(?:-|%{DATA:zeek.http.info_msg})\t(?:-|%{BRO_DATA:zeek.http.filename})\t(?:\(empty\)|%{BRO_DATA:zeek.http.tags})\t(?:-|%{BRO_DATA:url.username})\t(?:-|%{BRO_DATA:url.password})\t(?:-|%{BRO_DATA:zeek.http.proxied})\t(?:-|%{BRO_DATA:zeek.http.orig_fuids})\t(?:-|%{BRO_DATA:http.request.mime_type})\t(?:-|%{BRO_DATA:zeek.http.resp_fuids})\t(?:-|%{BRO_DATA:http.response.mime_type})"#,
    ),
    (
        "CATALINA7_DATESTAMP",
        r#"%{MONTH} %{MONTHDAY}, %{YEAR} %{HOUR}:%{MINUTE}:%{SECOND} (?:AM|PM)"#,
    ),
    (
        "CATALINA7_LOG",
        r#"%{CATALINA7_DATESTAMP:timestamp} %{JAVACLASS:java.log.origin.class.name}(?: %{JAVAMETHOD:log.origin.function})?\s*(?:%{LOGLEVEL:log.level}:)? %{JAVALOGMESSAGE:message}"#,
    ),
    (
        "CATALINA8_DATESTAMP",
        r#"%{MONTHDAY}-%{MONTH}-%{YEAR} %{HOUR}:%{MINUTE}:%{SECOND}"#,
    ),
    (
        "CATALINA8_LOG",
        r#"%{CATALINA8_DATESTAMP:timestamp} %{LOGLEVEL:log.level} \[%{DATA:java.log.origin.thread.name}\] %{JAVACLASS:java.log.origin.class.name}\.(?:%{JAVAMETHOD:log.origin.function})? %{JAVALOGMESSAGE:message}"#,
    ),
    (
        "CATALINALOG",
        r#"(?:%{CATALINA8_LOG})|(?:%{CATALINA7_LOG})"#,
    ),
    (
        "CATALINA_DATESTAMP",
        r#"(?:%{CATALINA8_DATESTAMP})|(?:%{CATALINA7_DATESTAMP})"#,
    ),
    (
        "CISCOFW104001",
        r#"\((?:Primary|Secondary)\) Switching to ACTIVE - %{GREEDYDATA:event.reason}"#,
    ),
    (
        "CISCOFW104002",
        r#"\((?:Primary|Secondary)\) Switching to STANDBY - %{GREEDYDATA:event.reason}"#,
    ),
    (
        "CISCOFW104003",
        r#"\((?:Primary|Secondary)\) Switching to FAILED\."#,
    ),
    (
        "CISCOFW104004",
        r#"\((?:Primary|Secondary)\) Switching to OK\."#,
    ),
    (
        "CISCOFW105003",
        r#"\((?:Primary|Secondary)\) Monitoring on [Ii]nterface %{NOTSPACE:network.interface.name} waiting"#,
    ),
    (
        "CISCOFW105004",
        r#"\((?:Primary|Secondary)\) Monitoring on [Ii]nterface %{NOTSPACE:network.interface.name} normal"#,
    ),
    (
        "CISCOFW105005",
        r#"\((?:Primary|Secondary)\) Lost Failover communications with mate on [Ii]nterface %{NOTSPACE:network.interface.name}"#,
    ),
    (
        "CISCOFW105008",
        r#"\((?:Primary|Secondary)\) Testing [Ii]nterface %{NOTSPACE:network.interface.name}"#,
    ),
    (
        "CISCOFW105009",
        r#"\((?:Primary|Secondary)\) Testing on [Ii]nterface %{NOTSPACE:network.interface.name} (?:Passed|Failed)"#,
    ),
    (
        "CISCOFW106001",
        r#"%{CISCO_DIRECTION:cisco.asa.network.direction} %{WORD:cisco.asa.network.transport} connection %{CISCO_ACTION:cisco.asa.outcome} from %{IP:source.address}/%{INT:source.port:int} to %{IP:destination.address}/%{INT:destination.port:int} flags %{DATA:cisco.asa.tcp_flags} on interface %{NOTSPACE:observer.egress.interface.name}"#,
    ),
    (
        "CISCOFW106006_106007_106010",
        r#"%{CISCO_ACTION:cisco.asa.outcome} %{CISCO_DIRECTION:cisco.asa.network.direction} %{WORD:cisco.asa.network.transport} (?:from|src) %{IP:source.address}/%{INT:source.port:int}(?:\(%{DATA:source.user.name}\))? (?:to|dst) %{IP:destination.address}/%{INT:destination.port:int}(?:\(%{DATA:destination.user.name}\))? (?:(?:on interface %{NOTSPACE:observer.egress.interface.name})|(?:due to %{CISCO_REASON:event.reason}))"#,
    ),
    (
        "CISCOFW106014",
        r#"%{CISCO_ACTION:cisco.asa.outcome} %{CISCO_DIRECTION:cisco.asa.network.direction} %{WORD:cisco.asa.network.transport} src %{CISCO_SRC_IP_USER} dst %{CISCO_DST_IP_USER}\s?\(type %{INT:cisco.asa.icmp_type:int}, code %{INT:cisco.asa.icmp_code:int}\)"#,
    ),
    (
        "CISCOFW106015",
        r#"%{CISCO_ACTION:cisco.asa.outcome} %{WORD:cisco.asa.network.transport} \(%{DATA:cisco.asa.rule_name}\) from %{IP:source.address}/%{INT:source.port:int} to %{IP:destination.address}/%{INT:destination.port:int} flags %{DATA:cisco.asa.tcp_flags} on interface %{NOTSPACE:observer.egress.interface.name}"#,
    ),
    (
        "CISCOFW106021",
        r#"%{CISCO_ACTION:cisco.asa.outcome} %{WORD:cisco.asa.network.transport} reverse path check from %{IP:source.address} to %{IP:destination.address} on interface %{NOTSPACE:observer.egress.interface.name}"#,
    ),
    (
        "CISCOFW106023",
        r#"%{CISCO_ACTION:action}( protocol)? %{WORD:network.protocol.name} src %{DATA:source.interface}:%{DATA:source.address}(/%{INT:source.port})?(\(%{DATA:source.fwuser}\))? dst %{DATA:destination.interface}:%{DATA:destination.address}(/%{INT:destination.port})?(\(%{DATA:destination.fwuser}\))?( \(type %{INT:icmp_type}, code %{INT:icmp_code}\))? by access-group "?%{DATA:policy_id}"? \[%{DATA:hashcode1}, %{DATA:hashcode2}\]"#,
    ),
    (
        "CISCOFW106100",
        r#"access-list %{NOTSPACE:cisco.asa.rule_name} %{CISCO_ACTION:cisco.asa.outcome} %{WORD:cisco.asa.network.transport} %{DATA:observer.ingress.interface.name}/%{IP:source.address}\(%{INT:source.port:int}\)(?:\(%{DATA:source.user.name}\))? -> %{DATA:observer.egress.interface.name}/%{IP:destination.address}\(%{INT:destination.port:int}\)(?:\(%{DATA:source.user.name}\))? hit-cnt %{INT:cisco.asa.hit_count:int} %{CISCO_INTERVAL} \[%{DATA:metadata.cisco.asa.hashcode1}\, %{DATA:metadata.cisco.asa.hashcode2}\]"#,
    ),
    (
        "CISCOFW106100_2_3",
        r#"access-list %{NOTSPACE:cisco.asa.rule_name} %{CISCO_ACTION:cisco.asa.outcome} %{WORD:cisco.asa.network.transport} for user '%{DATA:user.name}' %{DATA:observer.ingress.interface.name}\/%{IP:source.address}\(%{INT:source.port:int}\) -> %{DATA:observer.egress.interface.name}\/%{IP:destination.address}\(%{INT:destination.port:int}\) %{CISCO_HITCOUNT_INTERVAL} \[%{DATA:metadata.cisco.asa.hashcode1}\, %{DATA:metadata.cisco.asa.hashcode2}\]"#,
    ),
    (
        "CISCOFW110002",
        r#"%{CISCO_REASON:event.reason} for %{WORD:cisco.asa.network.transport} from %{DATA:observer.ingress.interface.name}:%{IP:source.address}/%{INT:source.port:int} to %{IP:destination.address}/%{INT:destination.port:int}"#,
    ),
    (
        "CISCOFW302010",
        r#"%{INT:cisco.asa.connections.in_use:int} in use, %{INT:cisco.asa.connections.most_used:int} most used"#,
    ),
    (
        "CISCOFW302013_302014_302015_302016",
        r#"%{CISCO_ACTION:cisco.asa.outcome}(?: %{CISCO_DIRECTION:cisco.asa.network.direction})? %{WORD:cisco.asa.network.transport} connection %{INT:cisco.asa.connection_id} for %{NOTSPACE:observer.ingress.interface.name}:%{IP:source.address}/%{INT:source.port:int}(?: \(%{IP:source.nat.ip}/%{INT:source.nat.port:int}\))?(?:\(%{DATA:source.user.name?}\))? to %{NOTSPACE:observer.egress.interface.name}:%{IP:destination.address}/%{INT:destination.port:int}( \(%{IP:destination.nat.ip}/%{INT:destination.nat.port:int}\))?(?:\(%{DATA:destination.user.name}\))?( duration %{TIME:cisco.asa.duration} bytes %{INT:network.bytes:long})?(?: %{CISCO_REASON:event.reason})?(?: \(%{DATA:user.name}\))?"#,
    ),
    (
        "CISCOFW302020_302021",
        r#"%{CISCO_ACTION:cisco.asa.outcome}(?: %{CISCO_DIRECTION:cisco.asa.network.direction})? %{WORD:cisco.asa.network.transport} connection for faddr %{IP:destination.address}/%{INT:cisco.asa.icmp_seq:int}(?:\(%{DATA:destination.user.name}\))? gaddr %{IP:source.nat.ip}/%{INT:cisco.asa.icmp_type:int} laddr %{IP:source.address}/%{INT}(?: \(%{DATA:source.user.name}\))?"#,
    ),
    (
        "CISCOFW304001",
        r#"%{IP:source.address}(?:\(%{DATA:source.user.name}\))? Accessed URL %{IP:destination.address}:%{GREEDYDATA:url.original}"#,
    ),
    (
        "CISCOFW305011",
        r#"%{CISCO_ACTION:cisco.asa.outcome} %{CISCO_XLATE_TYPE} %{WORD:cisco.asa.network.transport} translation from %{DATA:observer.ingress.interface.name}:%{IP:source.address}(/%{INT:source.port:int})?(?:\(%{DATA:source.user.name}\))? to %{DATA:observer.egress.interface.name}:%{IP:destination.address}/%{INT:destination.port:int}"#,
    ),
    (
        "CISCOFW313001_313004_313008",
        r#"%{CISCO_ACTION:cisco.asa.outcome} %{WORD:cisco.asa.network.transport} type=%{INT:cisco.asa.icmp_type:int}, code=%{INT:cisco.asa.icmp_code:int} from %{IP:source.address} on interface %{NOTSPACE:observer.egress.interface.name}(?: to %{IP:destination.address})?"#,
    ),
    (
        "CISCOFW313005",
        r#"%{CISCO_REASON:event.reason} for %{WORD:cisco.asa.network.transport} error message: %{WORD} src %{CISCO_SRC_IP_USER} dst %{CISCO_DST_IP_USER} \(type %{INT:cisco.asa.icmp_type:int}, code %{INT:cisco.asa.icmp_code:int}\) on %{NOTSPACE} interface\.\s+Original IP payload: %{WORD:cisco.asa.original_ip_payload.network.transport} src %{IP:cisco.asa.original_ip_payload.source.address}/%{INT:cisco.asa.original_ip_payload.source.port:int}(?:\(%{DATA:cisco.asa.original_ip_payload.source.user.name}\))? dst %{IP:cisco.asa.original_ip_payload.destination.address}/%{INT:cisco.asa.original_ip_payload.destination.port:int}(?:\(%{DATA:cisco.asa.original_ip_payload.destination.user.name}\))?"#,
    ),
    (
        "CISCOFW321001",
        r#"Resource '%{DATA:cisco.asa.resource.name}' limit of %{POSINT:cisco.asa.resource.limit:int} reached for system"#,
    ),
    (
        "CISCOFW402117",
        r#"%{WORD:cisco.asa.network.type}: Received a non-IPSec packet \(protocol=\s?%{WORD:cisco.asa.network.transport}\) from %{IP:source.address} to %{IP:destination.address}\.?"#,
    ),
    (
        "CISCOFW402119",
        r#"%{WORD:cisco.asa.network.type}: Received an %{WORD:cisco.asa.ipsec.protocol} packet \(SPI=\s?%{DATA:cisco.asa.ipsec.spi}, sequence number=\s?%{DATA:cisco.asa.ipsec.seq_num}\) from %{IP:source.address} \(user=\s?%{DATA:source.user.name}\) to %{IP:destination.address} that failed anti-replay checking\.?"#,
    ),
    (
        "CISCOFW419001",
        r#"%{CISCO_ACTION:cisco.asa.outcome} %{WORD:cisco.asa.network.transport} packet from %{NOTSPACE:observer.ingress.interface.name}:%{IP:source.address}/%{INT:source.port:int} to %{NOTSPACE:observer.egress.interface.name}:%{IP:destination.address}/%{INT:destination.port:int}, reason: %{GREEDYDATA:event.reason}"#,
    ),
    (
        "CISCOFW419002",
        r#"%{CISCO_REASON:event.reason} from %{DATA:observer.ingress.interface.name}:%{IP:source.address}/%{INT:source.port:int} to %{DATA:observer.egress.interface.name}:%{IP:destination.address}/%{INT:destination.port:int} with different initial sequence number"#,
    ),
    (
        "CISCOFW500004",
        r#"%{CISCO_REASON:event.reason} for protocol=%{WORD:cisco.asa.network.transport}, from %{IP:source.address}/%{INT:source.port:int} to %{IP:destination.address}/%{INT:destination.port:int}"#,
    ),
    (
        "CISCOFW602303_602304",
        r#"%{WORD:cisco.asa.network.type}: An %{CISCO_DIRECTION:cisco.asa.network.direction} %{DATA:cisco.asa.ipsec.tunnel_type} SA \(SPI=%{DATA:cisco.asa.ipsec.spi}\) between %{IP:source.address} and %{IP:destination.address} \(user=%{DATA:source.user.name}\) has been %{CISCO_ACTION:cisco.asa.outcome}"#,
    ),
    (
        "CISCOFW710001_710002_710003_710005_710006",
        r#"%{WORD:cisco.asa.network.transport} (?:request|access) %{CISCO_ACTION:cisco.asa.outcome} from %{IP:source.address}/%{INT:source.port:int} to %{DATA:observer.egress.interface.name}:%{IP:destination.address}/%{INT:destination.port:int}"#,
    ),
    (
        "CISCOFW713172",
        r#"Group = %{DATA:cisco.asa.source.group}, IP = %{IP:source.address}, Automatic NAT Detection Status:\s+Remote end\s*%{DATA:metadata.cisco.asa.remote_nat}\s*behind a NAT device\s+This\s+end\s*%{DATA:metadata.cisco.asa.local_nat}\s*behind a NAT device"#,
    ),
    (
        "CISCOFW733100",
        r#"\\s*%{DATA:[cisco.asa.burst.object}\s*\] drop %{DATA:cisco.asa.burst.id} exceeded. Current burst rate is %{INT:cisco.asa.burst.current_rate:int} per second, max configured rate is %{INT:cisco.asa.burst.configured_rate:int}; Current average rate is %{INT:cisco.asa.burst.avg_rate:int} per second, max configured rate is %{INT:cisco.asa.burst.configured_avg_rate:int}; Cumulative total count is %{INT:cisco.asa.burst.cumulative_count:int}"#,
    ),
    ("CISCOMAC", r#"(?:(?:[A-Fa-f0-9]{4}\.){2}[A-Fa-f0-9]{4})"#),
    ("CISCOTAG", r#"[A-Z0-9]+-%{INT}-(?:[A-Z0-9_]+)"#),
    (
        "CISCOTIMESTAMP",
        r#"%{MONTH} +%{MONTHDAY}(?: %{YEAR})? %{TIME}"#,
    ),
    (
        "CISCO_ACTION",
        r#"Built|Teardown|Deny|Denied|denied by ACL|requested|permitted|denied|discarded|est-allowed|Dropping|created|deleted"#,
    ),
    ("CISCO_DIRECTION", r#"Inbound|inbound|Outbound|outbound"#),
    (
        "CISCO_DST_HOST_PORT_USER",
        r#"%{NOTSPACE:observer.egress.interface.name}:(?:(?:%{IP:destination.address})|(?:%{HOSTNAME:destination.address}))(?:/%{INT:destination.port:int})?(?:\(%{DATA:destination.user.name}\))?"#,
    ),
    (
        "CISCO_DST_IP_USER",
        r#"%{NOTSPACE:observer.egress.interface.name}:%{IP:destination.address}(?:\(%{DATA:destination.user.name}\))?"#,
    ),
    (
        "CISCO_HITCOUNT_INTERVAL",
        r#"hit-cnt %{INT:cisco.asa.hit_count:int} (?:first hit|%{INT:cisco.asa.interval:int}-second interval)"#,
    ),
    ("CISCO_INTERVAL", r#"first hit|%{INT}-second interval"#),
    (
        "CISCO_REASON",
        r#"Duplicate TCP SYN|Failed to locate egress interface|Invalid transport field|No matching connection|DNS Response|DNS Query|(?:%{WORD}\s*)*"#,
    ),
    (
        "CISCO_SRC_HOST_PORT_USER",
        r#"%{NOTSPACE:observer.ingress.interface.name}:(?:(?:%{IP:source.address})|(?:%{HOSTNAME:source.address}))(?:/%{INT:source.port:int})?(?:\(%{DATA:source.user.name}\))?"#,
    ),
    (
        "CISCO_SRC_IP_USER",
        r#"%{NOTSPACE:observer.ingress.interface.name}:%{IP:source.address}(?:\(%{DATA:source.user.name}\))?"#,
    ),
    (
        "CISCO_TAGGED_SYSLOG",
        r#"^<%{POSINT:log.syslog.priority:int}>%{CISCOTIMESTAMP:timestamp}( %{SYSLOGHOST:host.name})? ?: %%{CISCOTAG:cisco.asa.tag}:"#,
    ),
    ("CISCO_XLATE_TYPE", r#"static|dynamic"#),
    (
        "CLOUDFRONT_ACCESS_LOG",
        r#"(?<timestamp>%{YEAR}[-]%{MONTHNUM}[-]%{MONTHDAY}\t%{TIME})\t%{WORD:aws.cloudfront.x_edge_location}\t(?:-|%{INT:destination.bytes:long})\t%{IPORHOST:source.address}\t%{WORD:http.request.method}\t%{HOSTNAME:url.domain}\t%{NOTSPACE:url.path}\t(?:(?:000)|%{INT:http.response.status_code:int})\t(?:-|%{DATA:http.request.referrer})\t%{DATA:user_agent.original}\t(?:-|%{DATA:url.query})\t(?:-|%{DATA:aws.cloudfront.http.request.cookie})\t%{WORD:aws.cloudfront.x_edge_result_type}\t%{NOTSPACE:aws.cloudfront.x_edge_request_id}\t%{HOSTNAME:aws.cloudfront.http.request.host}\t%{URIPROTO:network.protocol.name}\t(?:-|%{INT:source.bytes:long})\t%{NUMBER:aws.cloudfront.time_taken:float}\t(?:-|%{IP:network.forwarded_ip})\t(?:-|%{DATA:aws.cloudfront.ssl_protocol})\t(?:-|%{NOTSPACE:tls.cipher})\t%{WORD:aws.cloudfront.x_edge_response_result_type}(?:\t(?:-|HTTP/%{NUMBER:http.version})\t(?:-|%{DATA:aws.cloudfront.fle_status})\t(?:-|%{DATA:aws.cloudfront.fle_encrypted_fields})\t%{INT:source.port:int}\t%{NUMBER:aws.cloudfront.time_to_first_byte:float}\t(?:-|%{DATA:aws.cloudfront.x_edge_detailed_result_type})\t(?:-|%{NOTSPACE:http.request.mime_type})\t(?:-|%{INT:aws.cloudfront.http.request.size:long})\t(?:-|%{INT:aws.cloudfront.http.request.range.start:long})\t(?:-|%{INT:aws.cloudfront.http.request.range.end:long}))?"#,
    ),
    ("COMBINEDAPACHELOG", r#"%{HTTPD_COMBINEDLOG}"#),
    ("COMMONAPACHELOG", r#"%{HTTPD_COMMONLOG}"#),
    ("COMMONMAC", r#"(?:(?:[A-Fa-f0-9]{2}:){5}[A-Fa-f0-9]{2})"#),
    (
        "CRONLOG",
        r#"%{SYSLOGBASE} \(%{USER:user.name}\) %{CRON_ACTION:system.cron.action} \(%{DATA:message}\)"#,
    ),
    ("CRON_ACTION", r#"[A-Z ]+"#),
    ("DATA", r#".*?"#),
    ("DATE", r#"%{DATE_US}|%{DATE_EU}"#),
    ("DATESTAMP", r#"%{DATE}[- ]%{TIME}"#),
    (
        "DATESTAMP_EVENTLOG",
        r#"%{YEAR}%{MONTHNUM}%{MONTHDAY}%{HOUR}%{MINUTE}%{SECOND}"#,
    ),
    (
        "DATESTAMP_OTHER",
        r#"%{DAY} %{MONTH} %{MONTHDAY} %{TIME} %{TZ} %{YEAR}"#,
    ),
    (
        "DATESTAMP_RFC2822",
        r#"%{DAY}, %{MONTHDAY} %{MONTH} %{YEAR} %{TIME} %{ISO8601_TIMEZONE}"#,
    ),
    (
        "DATESTAMP_RFC822",
        r#"%{DAY} %{MONTH} %{MONTHDAY} %{YEAR} %{TIME} %{TZ}"#,
    ),
    ("DATE_EU", r#"%{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}"#),
    ("DATE_US", r#"%{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}"#),
    (
        "DAY",
        r#"\b(?:Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)\b"#,
    ),
    ("ELB_ACCESS_LOG", r#"%{ELB_V1_HTTP_LOG}"#),
    (
        "ELB_REQUEST_LINE",
        r#"(?:%{WORD:http.request.method} %{ELB_URI:url.original}(?: HTTP/%{NUMBER:http.version})?)"#,
    ),
    (
        "ELB_URI",
        r#"%{URIPROTO:url.scheme}://(?:%{USER:url.username}(?::[^@]*)?@)?(?:%{ELB_URIHOST})?(?:%{ELB_URIPATHQUERY})?"#,
    ),
    (
        "ELB_URIHOST",
        r#"%{IPORHOST:url.domain}(?::%{POSINT:url.port:int})?"#,
    ),
    ("ELB_URIPATHPARAM", r#"%{ELB_URIPATHQUERY}"#),
    (
        "ELB_URIPATHQUERY",
        r#"%{URIPATH:url.path}(?:\?%{URIQUERY:url.query})?"#,
    ),
    (
        "ELB_V1_HTTP_LOG",
        r#"%{TIMESTAMP_ISO8601:timestamp} %{NOTSPACE:aws.elb.name} %{IP:source.address}:%{INT:source.port:int} (?:-|(?:%{IP:aws.elb.backend.ip}:%{INT:aws.elb.backend.port:int})) (?:-1|%{NUMBER:aws.elb.request_processing_time.sec:float}) (?:-1|%{NUMBER:aws.elb.backend_processing_time.sec:float}) (?:-1|%{NUMBER:aws.elb.response_processing_time.sec:float}) %{INT:http.response.status_code:int} (?:-|%{INT:aws.elb.backend.http.response.status_code:int}) %{INT:http.request.body.size:long} %{INT:http.response.body.size:long} "%{ELB_REQUEST_LINE}"(?: "(?:-|%{DATA:user_agent.original})" (?:-|%{NOTSPACE:tls.cipher}) (?:-|%{NOTSPACE:aws.elb.ssl_protocol}))?"#,
    ),
    ("EMAILADDRESS", r#"%{EMAILLOCALPART}@%{HOSTNAME}"#),
    ("EMAILLOCALPART", r#"[a-zA-Z][a-zA-Z0-9_.+-=:]+"#),
    ("EXIM", r#"%{EXIM_MESSAGE_ARRIVAL}"#),
    (
        "EXIM_DATE",
        r#"(:?%{YEAR}-%{MONTHNUM}-%{MONTHDAY} %{TIME})"#,
    ),
    (
        "EXIM_EXCLUDE_TERMS",
        r#"(Message is frozen|(Start|End) queue run| Warning: | retry time not reached | no (IP address|host name) found for (IP address|host) | unexpected disconnection while reading SMTP command | no immediate delivery: |another process is handling this message)"#,
    ),
    ("EXIM_FLAGS", r#"(?:<=|=>|->|\*>|\*\*|==|<>|>>)"#),
    ("EXIM_HEADER_ID", r#"(id=%{NOTSPACE:exim.log.header_id})"#),
    (
        "EXIM_INTERFACE",
        r#"(I=\[%{IP:destination.address}\](?::%{NUMBER:destination.port:int}))"#,
    ),
    (
        "EXIM_MESSAGE_ARRIVAL",
        r#"%{EXIM_DATE:timestamp} (?:%{EXIM_PID} )?%{EXIM_MSGID:exim.log.message.id} (?P<exim___log___flags>\<\=) ((?P<exim___log___status>[a-z:]) )?%{EMAILADDRESS:exim.log.sender.email}%{EXIM_NAMED_FIELDS}(?:(?: from \<?%{DATA:exim.log.sender.original}\>?)? for %{EMAILADDRESS:exim.log.recipient.email})?"#,
    ),
    (
        "EXIM_MSGID",
        r#"[0-9A-Za-z]{6}-[0-9A-Za-z]{6}-[0-9A-Za-z]{2}"#,
    ),
    (
        "EXIM_MSG_SIZE",
        r#"(S=%{NUMBER:exim.log.message.body.size:int})"#,
    ),
    (
        "EXIM_NAMED_FIELDS",
        r#"(?: (?:%{EXIM_REMOTE_HOST}|%{EXIM_INTERFACE}|%{EXIM_PROTOCOL}|%{EXIM_MSG_SIZE}|%{EXIM_HEADER_ID}|%{EXIM_SUBJECT}|%{EXIM_UNKNOWN_FIELD}))*"#,
    ),
    ("EXIM_PID", r#"\[%{POSINT:process.pid:int}\]"#),
    ("EXIM_PROTOCOL", r#"(P=%{NOTSPACE:network.protocol.name})"#),
    ("EXIM_QT", r#"((\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?)"#),
    ("EXIM_QUOTED_CONTENT", r#"(?:\\.|[^\\"])*"#),
    (
        "EXIM_REMOTE_HOST",
        r#"(H=(\(%{NOTSPACE:source.host.name}\) )?(\(%{NOTSPACE:exim.log.remote_address}\) )?\[%{IP:source.address}\](?::%{POSINT:source.port:int})?)"#,
    ),
    (
        "EXIM_SUBJECT",
        r#"(T="%{EXIM_QUOTED_CONTENT:exim.log.message.subject}")"#,
    ),
    (
        "EXIM_UNKNOWN_FIELD",
        r#"(?:[A-Za-z0-9]{1,4}=(?:%{QUOTEDSTRING}|%{NOTSPACE}))"#,
    ),
    ("GREEDYDATA", r#".*"#),
    (
        "HAPROXYCAPTUREDREQUESTHEADERS",
        r#"(?:-|%{DATA:haproxy.http.request.captured_headers})"#,
    ),
    (
        "HAPROXYCAPTUREDRESPONSEHEADERS",
        r#"(?:-|%{DATA:haproxy.http.response.captured_headers})"#,
    ),
    (
        "HAPROXYDATE",
        r#"%{MONTHDAY}/%{MONTH}/%{YEAR}:%{HAPROXYTIME}.%{INT}"#,
    ),
    (
        "HAPROXYHTTP",
        r#"(?:%{SYSLOGTIMESTAMP:timestamp}|%{TIMESTAMP_ISO8601:timestamp}) %{IPORHOST:host.name} %{SYSLOGPROG}: %{HAPROXYHTTPBASE}"#,
    ),
    (
        "HAPROXYHTTPBASE",
        r#"%{IP:source.address}:%{INT:source.port:int} \[%{HAPROXYDATE:haproxy.request_date}\] %{NOTSPACE:haproxy.frontend_name} %{NOTSPACE:haproxy.backend_name}/(?:<NOSRV>|%{NOTSPACE:haproxy.server_name}) (?:-1|%{INT:haproxy.http.request.time_wait_ms:int})/(?:-1|%{INT:haproxy.total_waiting_time_ms:int})/(?:-1|%{INT:haproxy.connection_wait_time_ms:int})/(?:-1|%{INT:haproxy.http.request.time_wait_without_data_ms:int})/%{NOTSPACE:haproxy.total_time_ms} %{INT:http.response.status_code:int} %{INT:source.bytes:long} (?:-|%{DATA:haproxy.http.request.captured_cookie}) (?:-|%{DATA:haproxy.http.response.captured_cookie}) %{NOTSPACE:haproxy.termination_state} %{INT:haproxy.connections.active:int}/%{INT:haproxy.connections.frontend:int}/%{INT:haproxy.connections.backend:int}/%{INT:haproxy.connections.server:int}/%{INT:haproxy.connections.retries:int} %{INT:haproxy.server_queue:int}/%{INT:haproxy.backend_queue:int}(?: \{%{HAPROXYCAPTUREDREQUESTHEADERS}\}(?: \{%{HAPROXYCAPTUREDRESPONSEHEADERS}\})?)?(?: "%{HAPROXYHTTPREQUESTLINE}"?)?"#,
    ),
    (
        "HAPROXYHTTPREQUESTLINE",
        r#"(?:<BADREQ>|(?:%{WORD:http.request.method} %{HAPROXYURI:url.original}(?: HTTP/%{NUMBER:http.version})?))"#,
    ),
    (
        "HAPROXYTCP",
        r#"(?:%{SYSLOGTIMESTAMP:timestamp}|%{TIMESTAMP_ISO8601:timestamp}) %{IPORHOST:host.name} %{SYSLOGPROG}: %{IP:source.address}:%{INT:source.port:int} \[%{HAPROXYDATE:haproxy.request_date}\] %{NOTSPACE:haproxy.frontend_name} %{NOTSPACE:haproxy.backend_name}/(?:<NOSRV>|%{NOTSPACE:haproxy.server_name}) (?:-1|%{INT:haproxy.total_waiting_time_ms:int})/(?:-1|%{INT:haproxy.connection_wait_time_ms:int})/%{NOTSPACE:haproxy.total_time_ms} %{INT:source.bytes:long} %{NOTSPACE:haproxy.termination_state} %{INT:haproxy.connections.active:int}/%{INT:haproxy.connections.frontend:int}/%{INT:haproxy.connections.backend:int}/%{INT:haproxy.connections.server:int}/%{INT:haproxy.connections.retries:int} %{INT:haproxy.server_queue:int}/%{INT:haproxy.backend_queue:int}"#,
    ),
    ("HAPROXYTIME", r#"\b%{HOUR}:%{MINUTE}(:%{SECOND})?\b"#),
    (
        "HAPROXYURI",
        r#"(?:%{URIPROTO:url.scheme}://)?(?:%{USER:url.username}(?::[^@]*)?@)?(?:%{IPORHOST:url.domain}(?::%{POSINT:url.port:int})?)?(?:%{URIPATH:url.path}(?:\?%{URIQUERY:url.query})?)?"#,
    ),
    (
        "HOSTNAME",
        r#"\b(?:[0-9A-Za-z][0-9A-Za-z-]{0,62})(?:\.(?:[0-9A-Za-z][0-9A-Za-z-]{0,62}))*(\.?|\b)"#,
    ),
    ("HOSTPORT", r#"%{IPORHOST}:%{POSINT}"#),
    ("HOUR", r#"(?:2[0123]|[01]?[0-9])"#),
    (
        "HTTPD20_ERRORLOG",
        r#"\[%{HTTPDERROR_DATE:timestamp}\] \[%{LOGLEVEL:log.level}\] (?:\[client %{IPORHOST:source.address}\] )?%{GREEDYDATA:message}"#,
    ),
    (
        "HTTPD24_ERRORLOG",
        r#"\[%{HTTPDERROR_DATE:timestamp}\] \[(?:%{WORD:apache.error.module})?:%{LOGLEVEL:log.level}\] \[pid %{POSINT:process.pid:long}(:tid %{INT:process.thread.id:int})?\](?: \(%{POSINT:apache.error.proxy.error.code}\)?%{DATA:apache.error.proxy.error.message}:)?(?: \[client %{IPORHOST:source.address}(?::%{POSINT:source.port:int})?\])?(?: %{DATA:error.code}:)? %{GREEDYDATA:message}"#,
    ),
    ("HTTPDATE", r#"%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} %{INT}"#),
    (
        "HTTPDERROR_DATE",
        r#"%{DAY} %{MONTH} %{MONTHDAY} %{TIME} %{YEAR}"#,
    ),
    ("HTTPDUSER", r#"%{EMAILADDRESS}|%{USER}"#),
    (
        "HTTPD_COMBINEDLOG",
        r#"%{HTTPD_COMMONLOG} "(?:-|%{DATA:http.request.referrer})" "(?:-|%{DATA:user_agent.original})""#,
    ),
    (
        "HTTPD_COMMONLOG",
        r#"%{IPORHOST:source.address} (?:-|%{HTTPDUSER:apache.access.user.identity}) (?:-|%{HTTPDUSER:user.name}) \[%{HTTPDATE:timestamp}\] "(?:%{WORD:http.request.method} %{NOTSPACE:url.original}(?: HTTP/%{NUMBER:http.version})?|%{DATA})" (?:-|%{INT:http.response.status_code:int}) (?:-|%{INT:http.response.body.size:long})"#,
    ),
    (
        "HTTPD_ERRORLOG",
        r#"%{HTTPD20_ERRORLOG}|%{HTTPD24_ERRORLOG}"#,
    ),
    ("INT", r#"(?:[+-]?(?:[0-9]+))"#),
    ("IP", r#"(?:%{IPV6}|%{IPV4})"#),
    ("IPORHOST", r#"(?:%{IP}|%{HOSTNAME})"#),
    (
        "IPTABLES",
        r#"IN=(?:%{NOTSPACE:observer.ingress.interface.name})?\s+OUT=(?:%{NOTSPACE:observer.egress.interface.name})?\s+(?:MAC=(?:%{COMMONMAC:destination.mac})?(?::%{COMMONMAC:source.mac})?(?::A-Fa-f0-9{2}:A-Fa-f0-9{2})?\s+)?(:?%{IPTABLES4_PART}|%{IPTABLES6_PART}).*?PROTO=(?:%{WORD:network.transport})?\s+SPT=(?:%{INT:source.port:int})?\s+DPT=(?:%{INT:destination.port:int})?\s+(?:%{IPTABLES_TCP_PART})?"#,
    ),
    ("IPTABLES4_FRAG", r#"((\s)?(CE|DF|MF))*"#),
    (
        "IPTABLES4_PART",
        r#"SRC=%{IPV4:source.address}\s+DST=%{IPV4:destination.address}\s+LEN=(?:%{INT:iptables.length:int})?\s+TOS=(?:0|0x%{BASE16NUM:iptables.tos})?\s+PREC=(?:0x%{BASE16NUM:iptables.precedence_bits})?\s+TTL=(?:%{INT:iptables.ttl:int})?\s+ID=(?:%{INT:iptables.id})?\s+(?:%{IPTABLES4_FRAG:iptables.fragment_flags})?(?:\s+FRAG: %{INT:iptables.fragment_offset:int})?"#,
    ),
    (
        "IPTABLES6_PART",
        r#"SRC=%{IPV6:source.address}\s+DST=%{IPV6:destination.address}\s+LEN=(?:%{INT:iptables.length:int})?\s+TC=(?:0|0x%{BASE16NUM:iptables.tos})?\s+HOPLIMIT=(?:%{INT:iptables.ttl:int})?\s+FLOWLBL=(?:%{INT:iptables.flow_label})?"#,
    ),
    (
        "IPTABLES_TCP_FLAGS",
        r#"(CWR |ECE |URG |ACK |PSH |RST |SYN |FIN )*"#,
    ),
    (
        "IPTABLES_TCP_PART",
        r#"(?:SEQ=%{INT:iptables.tcp.seq:int}\s+)?(?:ACK=%{INT:iptables.tcp.ack:int}\s+)?WINDOW=%{INT:iptables.tcp.window:int}\s+RES=0x%{BASE16NUM:iptables.tcp_reserved_bits}\s+%{IPTABLES_TCP_FLAGS:iptables.tcp.flags}"#,
    ),
    (
        "IPV4",
        r#"(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)"#,
    ),
    (
        "IPV6",
        r#"((([0-9A-Fa-f]{1,4}:){7}([0-9A-Fa-f]{1,4}|:))|(([0-9A-Fa-f]{1,4}:){6}(:[0-9A-Fa-f]{1,4}|((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})|:))|(([0-9A-Fa-f]{1,4}:){5}(((:[0-9A-Fa-f]{1,4}){1,2})|:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})|:))|(([0-9A-Fa-f]{1,4}:){4}(((:[0-9A-Fa-f]{1,4}){1,3})|((:[0-9A-Fa-f]{1,4})?:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(([0-9A-Fa-f]{1,4}:){3}(((:[0-9A-Fa-f]{1,4}){1,4})|((:[0-9A-Fa-f]{1,4}){0,2}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(([0-9A-Fa-f]{1,4}:){2}(((:[0-9A-Fa-f]{1,4}){1,5})|((:[0-9A-Fa-f]{1,4}){0,3}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(([0-9A-Fa-f]{1,4}:){1}(((:[0-9A-Fa-f]{1,4}){1,6})|((:[0-9A-Fa-f]{1,4}){0,4}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:))|(:(((:[0-9A-Fa-f]{1,4}){1,7})|((:[0-9A-Fa-f]{1,4}){0,5}:((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}))|:)))(%.+)?"#,
    ),
    ("ISO8601_SECOND", r#"%{SECOND}"#),
    ("ISO8601_TIMEZONE", r#"(?:Z|[+-]%{HOUR}(?::?%{MINUTE}))"#),
    (
        "JAVACLASS",
        r#"(?:[a-zA-Z$_][a-zA-Z$_0-9]*\.)*[a-zA-Z$_][a-zA-Z$_0-9]*"#,
    ),
    ("JAVAFILE", r#"(?:[a-zA-Z$_0-9. -]+)"#),
    ("JAVALOGMESSAGE", r#"(?:.*)"#),
    (
        "JAVAMETHOD",
        r#"(?:(<(?:cl)?init>)|[a-zA-Z$_][a-zA-Z$_0-9]*)"#,
    ),
    (
        "JAVASTACKTRACEPART",
        r#"%{SPACE}at %{JAVACLASS:java.log.origin.class.name}\.%{JAVAMETHOD:log.origin.function}\(%{JAVAFILE:log.origin.file.name}(?::%{INT:log.origin.file.line:int})?\)"#,
    ),
    ("JAVATHREAD", r#"(?:[A-Z]{2}-Processor[\d]+)"#),
    (
        "LOGLEVEL",
        r#"(?i)(alert|trace|debug|notice|info(?:rmation)?|warn(?:ing)?|err(?:or)?|crit(?:ical)?|fatal|severe|emerg(?:ency)?)"#,
    ),
    ("MAC", r#"(?:%{CISCOMAC}|%{WINDOWSMAC}|%{COMMONMAC})"#),
    (
        "MAVEN_VERSION",
        r#"(?:(\d+)\.)?(?:(\d+)\.)?(\*|\d+)(?:[.-](RELEASE|SNAPSHOT))?"#,
    ),
    (
        "MCOLLECTIVE",
        r#"., \[%{TIMESTAMP_ISO8601:timestamp} #%{POSINT:process.pid:int}\]%{SPACE}%{LOGLEVEL:log.level}"#,
    ),
    ("MCOLLECTIVEAUDIT", r#"%{TIMESTAMP_ISO8601:timestamp}:"#),
    ("MINUTE", r#"(?:[0-5][0-9])"#),
    ("MONGO3_COMPONENT", r#"%{WORD}"#),
    (
        "MONGO3_LOG",
        r#"%{TIMESTAMP_ISO8601:timestamp} %{MONGO3_SEVERITY:log.level} (?:-|%{MONGO3_COMPONENT:db.mongodb.component})%{SPACE}(?:\[%{DATA:db.mongodb.context}\])? %{GREEDYDATA:message}"#,
    ),
    ("MONGO3_SEVERITY", r#"\w"#),
    (
        "MONGO_LOG",
        r#"%{SYSLOGTIMESTAMP:timestamp} \[%{WORD:db.mongodb.component}\] %{GREEDYDATA:message}"#,
    ),
    (
        "MONGO_QUERY",
        r#"\{ %{MONGO_QUERY_CONTENT:MONGO_QUERY} \} ntoreturn:"#,
    ),
    ("MONGO_QUERY_CONTENT", r#"(.*?)"#),
    (
        "MONGO_SLOWQUERY",
        r#"%{WORD:db.mongodb.profile.op} %{MONGO_WORDDASH:db.mongodb.database}\.%{MONGO_WORDDASH:db.mongodb.collection} %{WORD}: \{ %{MONGO_QUERY_CONTENT:db.mongodb.query.original} \} ntoreturn:%{NONNEGINT:db.mongodb.profile.ntoreturn:int} ntoskip:%{NONNEGINT:db.mongodb.profile.ntoskip:int} nscanned:%{NONNEGINT:db.mongodb.profile.nscanned:int}.*? nreturned:%{NONNEGINT:db.mongodb.profile.nreturned:int}.*? %{INT:db.mongodb.profile.duration:int}ms"#,
    ),
    ("MONGO_WORDDASH", r#"\b[\w-]+\b"#),
    (
        "MONTH",
        r#"\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?|Aug(?:ust)?|Sep(?:tember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b"#,
    ),
    (
        "MONTHDAY",
        r#"(?:(?:0[1-9])|(?:[12][0-9])|(?:3[01])|[1-9])"#,
    ),
    ("MONTHNUM", r#"(?:0[1-9]|1[0-2])"#),
    (
        "NETSCREENSESSIONLOG",
        r#"%{SYSLOGTIMESTAMP:timestamp} %{IPORHOST:observer.hostname} %{NOTSPACE:observer.name}\: (?P<observer___product>NetScreen) device_id=%{WORD:netscreen.device_id} .*?(system-(\w+)-(%{NONNEGINT:event.code})\((%{WORD:netscreen.session.type})\))?\: start_time="%{DATA:netscreen.session.start_time}" duration=%{INT:netscreen.session.duration:int} policy_id=%{INT:netscreen.policy_id} service=%{DATA:netscreen.service} proto=%{INT:netscreen.protocol_number:int} src zone=%{WORD:observer.ingress.zone} dst zone=%{WORD:observer.egress.zone} action=%{WORD:event.action} sent=%{INT:source.bytes:long} rcvd=%{INT:destination.bytes:long} src=%{IPORHOST:source.address} dst=%{IPORHOST:destination.address}(?: src_port=%{INT:source.port:int} dst_port=%{INT:destination.port:int})?(?: src-xlated ip=%{IP:source.nat.ip} port=%{INT:source.nat.port:int} dst-xlated ip=%{IP:destination.nat.ip} port=%{INT:destination.nat.port:int})?(?: session_id=%{INT:netscreen.session.id} reason=%{GREEDYDATA:netscreen.session.reason})?"#,
    ),
    ("NONNEGINT", r#"\b[0-9]+\b"#),
    ("NOTSPACE", r#"\S+"#),
    ("NUMBER", r#"(?:%{BASE10NUM})"#),
    ("PATH", r#"(?:%{UNIXPATH}|%{WINPATH})"#),
    ("POSINT", r#"\b[1-9][0-9]*\b"#),
    (
        "POSTGRESQL",
        r#"%{DATESTAMP:timestamp} %{TZ:event.timezone} %{DATA:user.name} %{GREEDYDATA:postgresql.log.connection_id} %{POSINT:process.pid:int}"#,
    ),
    ("PROG", r#"[!-Z\\^-~]+"#),
    ("QS", r#"%{QUOTEDSTRING}"#),
    (
        "QUOTEDSTRING",
        r#""([^"\\]*(\\.[^"\\]*)*)"|\'([^\'\\]*(\\.[^\'\\]*)*)\'"#,
    ),
    (
        "RAILS3",
        r#"%{RAILS3HEAD}(?:%{RPROCESSING})?(?P<rails___request___explain___original>(?:%{DATA}\n)*)(?:%{RAILS3FOOT})?"#,
    ),
    (
        "RAILS3FOOT",
        r#"Completed %{POSINT:http.response.status_code:int}%{DATA} in %{NUMBER:rails.request.duration.total:float}ms %{RAILS3PROFILE}%{GREEDYDATA}"#,
    ),
    (
        "RAILS3HEAD",
        r#"(?m)Started %{WORD:http.request.method} "%{URIPATHPARAM:url.original}" for %{IPORHOST:source.address} at (?<timestamp>%{YEAR}-%{MONTHNUM}-%{MONTHDAY} %{HOUR}:%{MINUTE}:%{SECOND} %{ISO8601_TIMEZONE})"#,
    ),
    (
        "RAILS3PROFILE",
        r#"(?:\(Views: %{NUMBER:rails.request.duration.view:float}ms \| ActiveRecord: %{NUMBER:rails.request.duration.active_record:float}ms|\(ActiveRecord: %{NUMBER:rails.request.duration.active_record:float}ms)?"#,
    ),
    (
        "RCONTROLLER",
        r#"(?P<rails___controller___class>[^#]+)#(?P<rails___controller___action>\w+)"#,
    ),
    (
        "REDISLOG",
        r#"\[%{POSINT:process.pid:int}\] %{REDISTIMESTAMP:timestamp} \*"#,
    ),
    (
        "REDISMONLOG",
        r#"%{NUMBER:timestamp} \[%{INT:redis.database.id} %{IP:client.address}:%{POSINT:client.port:int}\] "%{WORD:redis.command.name}"\s?%{GREEDYDATA:redis.command.args}"#,
    ),
    ("REDISTIMESTAMP", r#"%{MONTHDAY} %{MONTH} %{TIME}"#),
    (
        "RPROCESSING",
        r#"\W*Processing by %{RCONTROLLER} as (?P<rails___request___format>\S+)(?:\W*Parameters: {%{DATA:rails.request.params}}\W*)?"#,
    ),
    (
        "RT_FLOW1",
        r#"%{RT_FLOW_TAG:juniper.srx.tag}: %{GREEDYDATA:juniper.srx.reason}: %{IP:source.address}/%{INT:source.port:int}->%{IP:destination.address}/%{INT:destination.port:int} %{DATA:juniper.srx.service_name} %{IP:source.nat.ip}/%{INT:source.nat.port:int}->%{IP:destination.nat.ip}/%{INT:destination.nat.port:int} (?:(?:None)|(?:%{DATA:juniper.srx.src_nat_rule_name})) (?:(?:None)|(?:%{DATA:juniper.srx.dst_nat_rule_name})) %{INT:network.iana_number} %{DATA:rule.name} %{DATA:observer.ingress.zone} %{DATA:observer.egress.zone} %{INT:juniper.srx.session_id} \d+\(%{INT:source.bytes:long}\) \d+\(%{INT:destination.bytes:long}\) %{INT:juniper.srx.elapsed_time:int} .*"#,
    ),
    (
        "RT_FLOW2",
        r#"%{RT_FLOW_TAG:juniper.srx.tag}: session created %{IP:source.address}/%{INT:source.port:int}->%{IP:destination.address}/%{INT:destination.port:int} %{DATA:juniper.srx.service_name} %{IP:source.nat.ip}/%{INT:source.nat.port:int}->%{IP:destination.nat.ip}/%{INT:destination.nat.port:int} (?:(?:None)|(?:%{DATA:juniper.srx.src_nat_rule_name})) (?:(?:None)|(?:%{DATA:juniper.srx.dst_nat_rule_name})) %{INT:network.iana_number} %{DATA:rule.name} %{DATA:observer.ingress.zone} %{DATA:observer.egress.zone} %{INT:juniper.srx.session_id} .*"#,
    ),
    (
        "RT_FLOW3",
        r#"%{RT_FLOW_TAG:juniper.srx.tag}: session denied %{IP:source.address}/%{INT:source.port:int}->%{IP:destination.address}/%{INT:destination.port:int} %{DATA:juniper.srx.service_name} %{INT:network.iana_number}\(\d\) %{DATA:rule.name} %{DATA:observer.ingress.zone} %{DATA:observer.egress.zone} (.*)?"#,
    ),
    ("RT_FLOW_EVENT", r#"%{RT_FLOW_TAG}"#),
    (
        "RT_FLOW_TAG",
        r#"(?:RT_FLOW_SESSION_CREATE|RT_FLOW_SESSION_CLOSE|RT_FLOW_SESSION_DENY)"#,
    ),
    (
        "RUBY_LOGGER",
        r#"[DFEWI], \[%{TIMESTAMP_ISO8601:timestamp} #%{POSINT:process.pid:int}\] *%{RUBY_LOGLEVEL:log.level} -- +%{DATA:process.command}: %{GREEDYDATA:message}"#,
    ),
    ("RUBY_LOGLEVEL", r#"(?:DEBUG|FATAL|ERROR|WARN|INFO)"#),
    ("RUUID", r#"\S{32}"#),
    (
        "S3_ACCESS_LOG",
        r#"%{WORD:aws.s3access.bucket_owner} %{NOTSPACE:aws.s3access.bucket} \[%{HTTPDATE:timestamp}\] (?:-|%{IP:client.address}) (?:-|%{NOTSPACE:client.user.id}) %{NOTSPACE:aws.s3access.request_id} %{NOTSPACE:aws.s3access.operation} (?:-|%{NOTSPACE:aws.s3access.key}) (?:-|"%{S3_REQUEST_LINE:aws.s3access.request_uri}") (?:-|%{INT:http.response.status_code:int}) (?:-|%{NOTSPACE:aws.s3access.error_code}) (?:-|%{INT:aws.s3access.bytes_sent:long}) (?:-|%{INT:aws.s3access.object_size:long}) (?:-|%{INT:aws.s3access.total_time:int}) (?:-|%{INT:aws.s3access.turn_around_time:int}) "(?:-|%{DATA:http.request.referrer})" "(?:-|%{DATA:user_agent.original})" (?:-|%{NOTSPACE:aws.s3access.version_id})(?: (?:-|%{NOTSPACE:aws.s3access.host_id}) (?:-|%{NOTSPACE:aws.s3access.signature_version}) (?:-|%{NOTSPACE:tls.cipher}) (?:-|%{NOTSPACE:aws.s3access.authentication_type}) (?:-|%{NOTSPACE:aws.s3access.host_header}) (?:-|%{NOTSPACE:aws.s3access.tls_version}))?"#,
    ),
    (
        "S3_REQUEST_LINE",
        r#"(?:%{WORD:http.request.method} %{NOTSPACE:url.original}(?: HTTP/%{NUMBER:http.version})?)"#,
    ),
    ("SECOND", r#"(?:(?:[0-5][0-9]|60)(?:[:.,][0-9]+)?)"#),
    (
        "SFW2",
        r#"((?:%{SYSLOGTIMESTAMP:timestamp})|(?:%{TIMESTAMP_ISO8601:timestamp}))\s*%{HOSTNAME:observer.hostname}.*?%{SFW2_LOG_PREFIX:suse.firewall.log_prefix}\s*%{IPTABLES}"#,
    ),
    (
        "SFW2_LOG_PREFIX",
        r#"SFW2\-INext\-%{NOTSPACE:suse.firewall.action}"#,
    ),
    (
        "SHOREWALL",
        r#"(?:%{SYSLOGTIMESTAMP:timestamp}) (?:%{WORD:observer.hostname}) .*Shorewall:(?:%{WORD:shorewall.firewall.type})?:(?:%{WORD:shorewall.firewall.action})?.*%{IPTABLES}"#,
    ),
    ("SPACE", r#"\s*"#),
    (
        "SQUID3",
        r#"%{NUMBER:timestamp}\s+%{NUMBER:squid.request.duration:int}\s%{IP:source.address}\s%{WORD:event.action}/%{SQUID3_STATUS}\s%{INT:http.response.bytes:long}\s%{WORD:http.request.method}\s%{NOTSPACE:url.original}\s(?:-|%{NOTSPACE:user.name})\s%{WORD:squid.hierarchy_code}/(?:-|%{IPORHOST:destination.address})\s(?:-|%{NOTSPACE:http.response.mime_type})"#,
    ),
    (
        "SQUID3_STATUS",
        r#"(?:%{POSINT:http.response.status_code:int}|0|000)"#,
    ),
    (
        "SYSLOG5424BASE",
        r#"%{SYSLOG5424PRI}%{NONNEGINT:system.syslog.version} +(?:-|%{TIMESTAMP_ISO8601:timestamp}) +(?:-|%{IPORHOST:host.name}) +(?:-|%{SYSLOG5424PRINTASCII:process.command}) +(?:-|%{POSINT:process.pid:int}) +(?:-|%{SYSLOG5424PRINTASCII:event.code}) +(?:-|%{SYSLOG5424SD:system.syslog.structured_data})?"#,
    ),
    (
        "SYSLOG5424LINE",
        r#"%{SYSLOG5424BASE} +%{GREEDYDATA:message}"#,
    ),
    ("SYSLOG5424PRI", r#"<%{NONNEGINT:log.syslog.priority:int}>"#),
    ("SYSLOG5424PRINTASCII", r#"[!-~]+"#),
    ("SYSLOG5424SD", r#"\[%{DATA}\]+"#),
    (
        "SYSLOGBASE",
        r#"%{SYSLOGTIMESTAMP:timestamp} (?:%{SYSLOGFACILITY} )?%{SYSLOGHOST:host.name} %{SYSLOGPROG}:"#,
    ),
    (
        "SYSLOGBASE2",
        r#"(?:%{SYSLOGTIMESTAMP:timestamp}|%{TIMESTAMP_ISO8601:timestamp})(?: %{SYSLOGFACILITY})?(?: %{SYSLOGHOST:host.name})?(?: %{SYSLOGPROG}:)?"#,
    ),
    ("SYSLOGFACILITY", r#"<%{NONNEGINT}.%{NONNEGINT}>"#),
    ("SYSLOGHOST", r#"%{IPORHOST}"#),
    ("SYSLOGLINE", r#"%{SYSLOGBASE2} %{GREEDYDATA:message}"#),
    (
        "SYSLOGPAMSESSION",
        r#"%{SYSLOGBASE} (%{GREEDYDATA:message})%{WORD:system.auth.pam.module}\(%{DATA:system.auth.pam.origin}\): session %{WORD:system.auth.pam.session_state} for user %{USERNAME:user.name}(?: by %{GREEDYDATA})?"#,
    ),
    ("SYSLOGPROG", r#"%{PROG}(?:\[\d+\])?"#),
    ("SYSLOGTIMESTAMP", r#"%{MONTH} +%{MONTHDAY} %{TIME}"#),
    ("TIME", r#"%{HOUR}:%{MINUTE}(?::%{SECOND})?"#),
    (
        "TIMESTAMP_ISO8601",
        r#"%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?"#,
    ),
    ("TOMCAT7_LOG", r#"%{CATALINA7_LOG}"#),
    ("TOMCAT8_LOG", r#"%{CATALINA8_LOG}"#),
    (
        "TOMCATLEGACY_DATESTAMP",
        r#"%{YEAR}-%{MONTHNUM}-%{MONTHDAY} %{HOUR}:%{MINUTE}:%{SECOND}(?: %{ISO8601_TIMEZONE})?"#,
    ),
    (
        "TOMCATLEGACY_LOG",
        r#"%{TOMCATLEGACY_DATESTAMP:timestamp} \| %{LOGLEVEL:log.level} \| %{JAVACLASS:java.log.origin.class.name} - %{JAVALOGMESSAGE:message}"#,
    ),
    (
        "TOMCATLOG",
        r#"(?:%{TOMCAT8_LOG})|(?:%{TOMCAT7_LOG})|(?:%{TOMCATLEGACY_LOG})"#,
    ),
    (
        "TOMCAT_DATESTAMP",
        r#"(?:%{CATALINA8_DATESTAMP})|(?:%{CATALINA7_DATESTAMP})|(?:%{TOMCATLEGACY_DATESTAMP})"#,
    ),
    ("TTY", r#"/dev/(pts|tty([pq])?)(\w+)?/?(?:[0-9]+)"#),
    ("TZ", r#"(?:[PMACE][SED]T|UTC)"#),
    ("UNIXPATH", r#"(/[\w_%!$@:.,+~-]+)+"#),
    (
        "URI",
        r#"%{URIPROTO}://(?:%{USER}(?::[^@]*)?@)?%{URIHOST}(?:%{URIPATH}(?:\?%{URIQUERY})?)?"#,
    ),
    ("URIHOST", r#"%{IPORHOST}(?::%{POSINT})?"#),
    ("URIPARAM", r#"\?%{URIQUERY}"#),
    ("URIPATH", r#"(/[A-Za-z0-9$.+!*'(){},~:;=@#%&_\-]+)+"#),
    ("URIPATHPARAM", r#"%{URIPATH}(?:\?%{URIQUERY})?"#),
    ("URIPROTO", r#"[A-Za-z][A-Za-z0-9+\.-]+"#),
    ("URIQUERY", r#"[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\-\[\]<>]*"#),
    (
        "URN",
        r#"urn:[0-9A-Za-z][0-9A-Za-z-]{0,31}:[0-9A-Za-z()+,.:=@;$_!*'/?#-]+"#,
    ),
    ("USER", r#"%{USERNAME}"#),
    ("USERNAME", r#"[a-zA-Z0-9._-]+"#),
    (
        "UUID",
        r#"[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}"#,
    ),
    ("WINDOWSMAC", r#"(?:(?:[A-Fa-f0-9]{2}-){5}[A-Fa-f0-9]{2})"#),
    ("WINPATH", r#"[A-Za-z]+:(\\[^\\?*]+)+"#),
    ("WORD", r#"\b\w+\b"#),
    ("YEAR", r#"(\d\d){1,2}"#),
];
