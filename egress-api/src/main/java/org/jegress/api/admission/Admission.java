package org.jegress.api.admission;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeMap;

import org.jegress.api.config.ConfigLoader;
import org.jegress.api.config.CpuCostConfig;
import org.jegress.api.error.EgressException;
import org.jegress.api.livekit.WebEgressRequest;
import org.jegress.api.plan.RequestType;
import org.jegress.api.rpc.StartEgressRequest;

/**
 * Admission control of the egress worker, reproducing upstream's {@code stats.Monitor}.
 *
 * <p><b>CPU.</b> Every request shape has a static cost in cores ({@code cpu_cost:}, see {@link #costOf}). With no
 * egress running the whole node is available; otherwise
 * {@code available = cores × max_cpu_utilization − pending − used}. An accepted egress holds its static cost for
 * {@value #HOLD_SECONDS} s (pending; if it already measures more, that counts instead), because a handler needs a
 * while to launch Chromium and reach its steady load; after that only its measured CPU counts (used). A request is
 * admitted when {@code available ≥ cost}, where livekit-server's {@code estimated_cpu}, when positive, replaces the
 * static cost in that comparison (the reservation stays the static cost, as upstream).
 *
 * <p><b>Memory.</b> Only when {@code max_memory > 0}: reject when
 * {@code usage + pending + memory cost + 1 GB headroom ≥ max_memory}, usage being the summed RSS of the egress
 * process trees plus the worker's own ({@code memory_source: proc_rss}) or the container's cgroup working set
 * ({@code cgroup}, falling back to RSS while the cgroup cannot be read). Each accepted egress's memory cost is pending
 * for the same 15 s.
 *
 * <p><b>No PulseAudio-client limit.</b> Upstream also refuses Chrome-based egress once the node's one shared
 * PulseAudio daemon nears {@code max_pulse_clients} (60). Our web egress runs a private PulseAudio server per egress,
 * so there is no shared client table to exhaust and {@code max_pulse_clients} is ignored.
 *
 * <p><b>Overload.</b> {@link #evaluateOverload(double)}, called once per resource sample, applies upstream's stop
 * and kill policy for sustained CPU exhaustion and for memory over {@code max_memory}.
 *
 * <p>Usage: {@link #accept} when a StartEgress arrives (it re-checks and reserves), {@link #updateUsage} every
 * second from the resource monitor, {@link #ended} or {@link #aborted} when the egress is gone. All methods are
 * thread-safe; time only comes from the {@link Clock}, so nothing here sleeps or schedules.
 */
public final class Admission {

    /** How long an accepted egress's cost stays reserved before only its measured usage counts. */
    public static final long HOLD_SECONDS = 15;
    /** Memory kept free on top of the request's memory cost, in GB. */
    public static final double MEMORY_HEADROOM_GB = 1.0;
    /** Upstream's memory unit: a binary gigabyte. */
    public static final double GB = 1024.0 * 1024.0 * 1024.0;

    private static final Duration HOLD = Duration.ofSeconds(HOLD_SECONDS);
    private static final double DEFAULT_KILL_THRESHOLD = 0.95;
    private static final int HIGH_CPU_SAMPLES_BEFORE_STOP = 10;
    private static final int LOW_CPU_SAMPLES_BEFORE_RESET = 5;

    /** What {@code livekit_egress_can_accept_request} probes with: an empty (video) web request. */
    private static final StartEgressRequest WEB_PROBE = StartEgressRequest.newBuilder()
            .setWeb(WebEgressRequest.getDefaultInstance()).build();

    /** Request types reported by {@link #activeByType()}: every label a request can have except "unknown". */
    private static final List<String> TYPE_LABELS = List.of(RequestType.ROOM_COMPOSITE.label(),
            RequestType.WEB.label(), RequestType.PARTICIPANT.label(), RequestType.TRACK_COMPOSITE.label(),
            RequestType.TRACK.label(), RequestType.TEMPLATE.label(), RequestType.MEDIA.label());

    private final CpuCostConfig config;
    private final String renderer;
    private final double cores;
    private final Clock clock;

    private final Map<String, Entry> active = new LinkedHashMap<>();
    private boolean disabled;
    private long serviceRssBytes;
    private long cgroupBytes;
    private boolean cgroupOk;

    // overload policy state
    private int highCpuSamples;
    private int lowCpuSamples;
    private Instant cpuStopRequestedAt;
    private String cpuStopEgressId;
    private Instant highMemorySince;

    /** Per accepted egress. */
    private static final class Entry {
        final String egressId;
        final RequestCost cost;
        final Instant holdUntil;
        double lastCpu;
        double totalCpu;
        double maxCpu;
        int samples;
        long lastRss;
        long maxRss;

        Entry(String egressId, RequestCost cost, Instant holdUntil) {
            this.egressId = egressId;
            this.cost = cost;
            this.holdUntil = holdUntil;
        }

        boolean held(Instant now) {
            return now.isBefore(holdUntil);
        }

        /** Cores this egress counts for: during the hold at least its static cost, then what it measures. */
        double cpuCharge(Instant now) {
            return held(now) ? Math.max(cost.staticCpu(), lastCpu) : lastCpu;
        }
    }

    /**
     * @param config the {@code cpu_cost:} section (costs already defaulted, as {@code ConfigLoader} leaves them)
     * @param cores  CPU cores of the node (upstream: {@code NumCPU}, cgroup-quota aware)
     * @param clock  time source for the 15 s reservations and the kill grace periods
     */
    public Admission(CpuCostConfig config, double cores, Clock clock) {
        this(config, cores, clock, ConfigLoader.RENDERER_CHROME);
    }

    /**
     * @param roomCompositeRenderer the worker's {@code room_composite_renderer}: composites it draws without a browser
     *                              cost {@code native_room_composite_cpu_cost}
     */
    public Admission(CpuCostConfig config, double cores, Clock clock, String roomCompositeRenderer) {
        this.config = Objects.requireNonNull(config, "config");
        this.renderer = roomCompositeRenderer;
        this.clock = Objects.requireNonNull(clock, "clock");
        if (!(cores > 0)) {
            throw new IllegalArgumentException("cores must be positive: " + cores);
        }
        this.cores = cores;
    }

    /** The configuration this instance applies. */
    public CpuCostConfig config() {
        return config;
    }

    /** CPU cores of the node. */
    public double cores() {
        return cores;
    }

    /**
     * The static cost of a request (upstream {@code costsForRequest}); see {@link RequestCost}. Costs by shape:
     * room composite / v2 template with video: {@code room_composite_cpu_cost}, or
     * {@code native_room_composite_cpu_cost} when drawn without a browser; audio-only composite/template
     * through Chromium (layout or custom base URL set): {@code audio_room_composite_cpu_cost}; audio-only
     * composite/template on the SDK path: {@code sdk_audio_room_composite_cpu_cost} and
     * {@code sdk_audio_room_composite_memory_cost}; web (v1 or v2): {@code web_cpu_cost} or, audio-only,
     * {@code audio_web_cpu_cost}; participant and v2 media: {@code participant_cpu_cost}, or
     * {@code track_cpu_cost} with the PASSTHROUGH preset; track composite: {@code track_composite_cpu_cost}; track:
     * {@code track_cpu_cost}; no recognised body: 0. Replay requests are costed like v2 requests.
     */
    public RequestCost costOf(StartEgressRequest request) {
        return RequestCosts.of(config, request, renderer);
    }

    /** Whether {@link #accept} would take this request now: not disabled, enough memory, enough CPU. */
    public synchronized boolean canAccept(StartEgressRequest request) {
        return !disabled && fits(costOf(request), clock.instant());
    }

    /**
     * Whether an ordinary video web egress would be admitted now (upstream's {@code livekit_egress_can_accept_request}
     * probe).
     */
    public boolean canAcceptVideoWeb() {
        return canAccept(WEB_PROBE);
    }

    /**
     * Admits a request and reserves its cost for {@value #HOLD_SECONDS} s.
     *
     * @throws EgressException {@code unavailable} "server is shutting down" when disabled; {@code already_exists}
     *                         when an egress with this id is active; {@code unavailable} "not enough CPU" when the
     *                         CPU or memory check fails (upstream uses that message for both)
     */
    public synchronized RequestCost accept(StartEgressRequest request) {
        if (disabled) {
            throw EgressException.shuttingDown();
        }
        String id = request.getEgressId();
        if (active.containsKey(id)) {
            throw EgressException.alreadyExists();
        }
        Instant now = clock.instant();
        RequestCost cost = costOf(request);
        if (!fits(cost, now)) {
            throw EgressException.notEnoughCpu();
        }
        active.put(id, new Entry(id, cost, now.plus(HOLD)));
        return cost;
    }

    /**
     * Records one resource sample of an active egress: CPU cores and resident memory of its whole process tree.
     *
     * @return false when the egress is not active (the sample is ignored)
     */
    public synchronized boolean updateUsage(String egressId, double cpuCores, long rssBytes) {
        Entry e = active.get(egressId);
        if (e == null) {
            return false;
        }
        e.lastCpu = cpuCores;
        e.totalCpu += cpuCores;
        e.maxCpu = Math.max(e.maxCpu, cpuCores);
        e.samples++;
        e.lastRss = rssBytes;
        e.maxRss = Math.max(e.maxRss, rssBytes);
        return true;
    }

    /**
     * The worker's own resident memory (and anything else of the node not in an egress tree), counted in the
     * {@code proc_rss} memory usage as upstream counts every process it sees.
     */
    public synchronized void updateServiceMemory(long rssBytes) {
        serviceRssBytes = rssBytes;
    }

    /**
     * The cgroup working set ({@code memory.current − inactive_file}), or empty when it could not be read; used
     * for admission and OOM kills when {@code memory_source: cgroup}, otherwise only for the cgroup metrics.
     */
    public synchronized void updateCgroupMemory(OptionalLong workingSetBytes) {
        cgroupOk = workingSetBytes.isPresent();
        cgroupBytes = workingSetBytes.orElse(0);
    }

    /**
     * The egress is gone (its process ended): frees its reservation and returns what it consumed.
     *
     * @return empty when the egress was not active
     */
    public synchronized Optional<EgressUsage> ended(String egressId) {
        Entry e = remove(egressId);
        if (e == null) {
            return Optional.empty();
        }
        double avg = e.samples == 0 ? 0 : e.totalCpu / e.samples;
        return Optional.of(new EgressUsage(egressId, e.cost.requestType(), avg, e.maxCpu, e.maxRss, e.samples));
    }

    /** An accepted request that never started (validation or launch failed): frees its reservation. */
    public synchronized void aborted(String egressId) {
        remove(egressId);
    }

    private Entry remove(String egressId) {
        Entry e = active.remove(egressId);
        if (egressId.equals(cpuStopEgressId)) {
            cpuStopEgressId = null;
            cpuStopRequestedAt = null;
        }
        return e;
    }

    /**
     * Disables admission (draining on shutdown, or the IO client unhealthy): {@link #canAccept} answers false and
     * {@link #accept} throws "server is shutting down" until re-enabled.
     */
    public synchronized void setDisabled(boolean disabled) {
        this.disabled = disabled;
    }

    /** Whether admission is disabled. */
    public synchronized boolean isDisabled() {
        return disabled;
    }

    /** CPU cores available to a new egress now (the health endpoint's {@code CpuLoad}); may be negative. */
    public synchronized double availableCpu() {
        return cpuUsage().available();
    }

    /** The figures behind {@link #availableCpu()}. */
    public synchronized CpuUsage cpuUsage() {
        if (active.isEmpty()) {
            return new CpuUsage(cores, cores, 0, 0, 0);
        }
        Instant now = clock.instant();
        double pending = 0;
        double used = 0;
        for (Entry e : active.values()) {
            if (e.held(now)) {
                pending += e.cpuCharge(now);
            } else {
                used += e.cpuCharge(now);
            }
        }
        return new CpuUsage(cores, cores * config.maxCpuUtilization() - pending - used, pending, used, active.size());
    }

    /** Egresses accepted and not yet ended or aborted. */
    public synchronized int activeCount() {
        return active.size();
    }

    /** Ids of the active egresses, in acceptance order. */
    public synchronized List<String> activeIds() {
        return List.copyOf(active.keySet());
    }

    /**
     * Active egresses per request type, for {@code livekit_egress_requests{type}}: every type label is present
     * (0 when none), plus {@code unknown} when such a request is active.
     */
    public synchronized Map<String, Integer> activeByType() {
        Map<String, Integer> counts = new TreeMap<>();
        TYPE_LABELS.forEach(t -> counts.put(t, 0));
        for (Entry e : active.values()) {
            counts.merge(e.cost.requestType(), 1, Integer::sum);
        }
        return Collections.unmodifiableMap(counts);
    }

    /** The request type label of an active egress (for {@code livekit_egress_handler_results_total}). */
    public synchronized Optional<String> requestTypeOf(String egressId) {
        Entry e = active.get(egressId);
        return e == null ? Optional.empty() : Optional.of(e.cost.requestType());
    }

    /** RSS of the egress process trees plus {@link #updateServiceMemory the worker's}, in bytes. */
    public synchronized long procRssBytes() {
        long sum = serviceRssBytes;
        for (Entry e : active.values()) {
            sum += e.lastRss;
        }
        return sum;
    }

    /** The last cgroup working set, or empty when it was never read or the last read failed. */
    public synchronized OptionalLong cgroupMemoryBytes() {
        return cgroupOk ? OptionalLong.of(cgroupBytes) : OptionalLong.empty();
    }

    /**
     * Whether an ordinary request would be rejected if memory were measured from the cgroup (upstream's
     * {@code livekit_egress_would_reject_cgroup}); empty unless {@code max_memory} is set and the cgroup is readable.
     */
    public synchronized Optional<Boolean> wouldRejectCgroup() {
        if (config.maxMemory() <= 0 || !cgroupOk) {
            return Optional.empty();
        }
        double total = cgroupBytes / GB + pendingMemoryGb(clock.instant()) + config.memoryCost() + MEMORY_HEADROOM_GB;
        return Optional.of(total >= config.maxMemory());
    }

    /** Memory used / {@code max_memory} from the configured source; empty when {@code max_memory} is not set. */
    public synchronized OptionalDouble memoryLoadRatio() {
        if (config.maxMemory() <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(memoryUsageBytes() / GB / config.maxMemory());
    }

    /**
     * The StartEgress affinity (psrpc bid) of this node for a request: see {@link #bid(boolean, boolean, boolean)},
     * with idle meaning no active egress here. A worker that also counts requests still being started should call
     * the static form with its own count.
     */
    public synchronized float bid(StartEgressRequest request) {
        return bid(disabled, canAccept(request), active.isEmpty());
    }

    /**
     * Upstream's {@code StartEgressAffinity}: −1 (no bid) when disabled or the request cannot be admitted; 0.5 when
     * idle, so that small track requests gather on nodes already busy instead of occupying an idle node that a room
     * composite might need; 1 when busy with room to spare. Never 0, which psrpc would treat as "no bid".
     *
     * @param disabled  shutting down or unhealthy
     * @param canAccept {@link #canAccept} for the request
     * @param idle      no egress running or starting on this node
     */
    public static float bid(boolean disabled, boolean canAccept, boolean idle) {
        if (disabled || !canAccept) {
            return -1f;
        }
        return idle ? 0.5f : 1f;
    }

    /**
     * Applies upstream's overload policy to the latest sample; call once per resource sample (every second), after
     * the per-egress {@link #updateUsage} calls of that sample.
     *
     * <p>CPU: the threshold is 0.95, or {@code (1 + max_cpu_utilization) / 2} when that is higher. After 10 samples
     * above it (reset only by 5 consecutive samples at or below it) and with more than one egress running, the egress
     * using the most CPU beyond its static cost is stopped gracefully ({@link HandlerResult#STOPPED_CPU}); if the load
     * is still high {@code cpu_kill_grace_sec} later and that egress has not ended, it is killed
     * ({@link HandlerResult#KILLED_CPU}, "CPU exhausted: x cores used").
     *
     * <p>Memory (only with {@code max_memory > 0}): once usage from the configured source exceeds
     * {@code max_memory} continuously for {@code memory_kill_grace_sec}, the egress with the largest RSS is killed
     * ({@link HandlerResult#KILLED_OOM}, "OOM: x GB used").
     *
     * @param hostCpuLoad the node's CPU load over the last interval, 0..1 (1 − idle share)
     * @return the actions to carry out, usually none
     */
    public synchronized List<OverloadAction> evaluateOverload(double hostCpuLoad) {
        Instant now = clock.instant();
        List<OverloadAction> actions = new ArrayList<>(2);
        checkCpu(hostCpuLoad, now).ifPresent(actions::add);
        checkMemory(now).ifPresent(actions::add);
        return actions;
    }

    private Optional<OverloadAction> checkCpu(double load, Instant now) {
        double threshold = DEFAULT_KILL_THRESHOLD;
        if (threshold <= config.maxCpuUtilization()) {
            threshold = (1 + config.maxCpuUtilization()) / 2;
        }
        if (load <= threshold) {
            // Short dips do not clear the count, so a jittery but overloaded node still trips.
            if (++lowCpuSamples >= LOW_CPU_SAMPLES_BEFORE_RESET) {
                highCpuSamples = 0;
            }
            return Optional.empty();
        }
        lowCpuSamples = 0;
        if (active.size() <= 1) {
            // Stopping the only egress would not help anyone.
            return Optional.empty();
        }

        Entry worst = null;
        for (Entry e : active.values()) {
            if (e.samples > 0 && e.lastCpu > e.cost.staticCpu() && (worst == null || e.lastCpu > worst.lastCpu)) {
                worst = e;
            }
        }

        if (cpuStopRequestedAt == null) {
            highCpuSamples++;
            if (highCpuSamples < HIGH_CPU_SAMPLES_BEFORE_STOP || worst == null) {
                return Optional.empty();
            }
            cpuStopRequestedAt = now;
            cpuStopEgressId = worst.egressId;
            highCpuSamples = 0;
            return Optional.of(OverloadAction.stopForCpu(worst.egressId));
        }

        if (Duration.between(cpuStopRequestedAt, now).compareTo(Duration.ofSeconds(config.cpuKillGraceSec())) < 0) {
            return Optional.empty();
        }
        // Upstream reports the heaviest over-budget usage of this sample in the error.
        double used = worst == null ? 0 : worst.lastCpu;
        String victim = cpuStopEgressId;
        cpuStopRequestedAt = null;
        cpuStopEgressId = null;
        return Optional.of(OverloadAction.killForCpu(victim, used));
    }

    private Optional<OverloadAction> checkMemory(Instant now) {
        if (config.maxMemory() <= 0) {
            return Optional.empty();
        }
        long usage = memoryUsageBytes();
        if (usage <= (long) (config.maxMemory() * GB)) {
            highMemorySince = null;
            return Optional.empty();
        }
        if (highMemorySince == null) {
            highMemorySince = now;
        }
        if (Duration.between(highMemorySince, now).compareTo(Duration.ofSeconds(config.memoryKillGraceSec())) < 0) {
            return Optional.empty();
        }
        highMemorySince = null;
        Entry largest = null;
        for (Entry e : active.values()) {
            if (e.lastRss > 0 && (largest == null || e.lastRss > largest.lastRss)) {
                largest = e;
            }
        }
        return largest == null ? Optional.empty()
                : Optional.of(OverloadAction.killForMemory(largest.egressId, usage / GB));
    }

    /** Memory usage from the configured source; cgroup falls back to RSS while it cannot be read. */
    private long memoryUsageBytes() {
        if (config.memorySource() == CpuCostConfig.MemorySource.CGROUP && cgroupOk) {
            return cgroupBytes;
        }
        return procRssBytes();
    }

    private double pendingMemoryGb(Instant now) {
        double pending = 0;
        for (Entry e : active.values()) {
            if (e.held(now)) {
                pending += e.cost.memoryGb();
            }
        }
        return pending;
    }

    private boolean fits(RequestCost cost, Instant now) {
        if (config.maxMemory() > 0) {
            double needed = memoryUsageBytes() / GB + pendingMemoryGb(now) + cost.memoryGb() + MEMORY_HEADROOM_GB;
            if (needed >= config.maxMemory()) {
                return false;
            }
        }
        return cpuUsage().available() >= cost.cpu();
    }
}
