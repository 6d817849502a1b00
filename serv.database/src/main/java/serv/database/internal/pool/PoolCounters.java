package serv.database.internal.pool;

import java.util.concurrent.atomic.LongAdder;

import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.PoolStats;

/**
 * Counters of one database, fed by Hikari's metrics hook and kept across pool replacements. Serv's own rather than
 * Hikari's Micrometer or Dropwizard trackers: three counters do not justify a metrics library in the runtime.
 */
final class PoolCounters implements MetricsTrackerFactory, IMetricsTracker {

    final LongAdder acquired = new LongAdder();
    final LongAdder acquireNanos = new LongAdder();
    final LongAdder timeouts = new LongAdder();

    @Override
    public IMetricsTracker create(String poolName, PoolStats poolStats) {
        return this;
    }

    @Override
    public void recordConnectionAcquiredNanos(long elapsedAcquiredNanos) {
        acquired.increment();
        acquireNanos.add(elapsedAcquiredNanos);
    }

    @Override
    public void recordConnectionTimeout() {
        timeouts.increment();
    }

    @Override
    public void close() {
        // the counters outlive a replaced pool
    }
}
