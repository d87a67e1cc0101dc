package org.jegress.server.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.Map;

import io.lettuce.core.RedisURI;

import org.jegress.api.config.ConfigLoader;
import org.jegress.api.config.RedisConfig;
import org.junit.jupiter.api.Test;

class RedisUrisTest {

    private static RedisConfig redis(String block) {
        return ConfigLoader.parse("api_key: k\napi_secret: s\nws_url: ws://127.0.0.1:7880\nredis:\n" + block,
                Map.of()).redis();
    }

    @Test
    void sentinelsCarryTheirOwnCredentialsAndTheMasterItsOwn() {
        RedisURI uri = RedisUris.of(redis("""
                  sentinel_master_name: mymaster
                  sentinel_addresses: ["10.0.0.1:26379", "10.0.0.2"]
                  sentinel_password: s3
                  username: app
                  password: p1
                  db: 2
                """));
        assertThat(uri.getSentinelMasterId()).isEqualTo("mymaster");
        assertThat(uri.getSentinels()).extracting(RedisURI::getHost, RedisURI::getPort)
                .containsExactly(tuple("10.0.0.1", 26379),
                        tuple("10.0.0.2", 6379));
        assertThat(uri.getSentinels().get(0).getPassword())
                .containsExactly('s', '3');
        assertThat(uri.getUsername()).isEqualTo("app");
        assertThat(uri.getPassword()).containsExactly('p', '1');
        assertThat(uri.getDatabase()).isEqualTo(2);
    }

    @Test
    void clusterSeedsAreEachNodeWithTheBlocksCredentialsAndTls() {
        List<RedisURI> seeds = RedisUris.clusterSeeds(redis("""
                  cluster_addresses: ["10.0.0.1:7000", "10.0.0.2:7001"]
                  password: p1
                  tls:
                    enabled: true
                """));
        assertThat(seeds).extracting(RedisURI::getHost, RedisURI::getPort)
                .containsExactly(tuple("10.0.0.1", 7000),
                        tuple("10.0.0.2", 7001));
        assertThat(seeds).allSatisfy(u -> {
            assertThat(u.isSsl()).isTrue();
            assertThat(u.getPassword()).containsExactly('p', '1');
            assertThat(u.getDatabase()).isZero();
        });
    }
}
