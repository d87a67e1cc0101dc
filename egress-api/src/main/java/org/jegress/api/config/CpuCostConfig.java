package org.jegress.api.config;

/**
 * Admission control ({@code cpu_cost:}): the CPU cores and memory each egress type reserves, and the overload
 * limits. Costs are always positive after loading.
 *
 * @param maxCpuUtilization               share of all cores that egresses may use, in (0, 1]; default 0.8
 * @param maxMemory                       memory ceiling in GB; 0 disables memory admission and OOM kills
 * @param memoryCost                      GB reserved per egress when checking {@code maxMemory}
 * @param roomCompositeCpuCost            room composite / template with video (Chrome); default 4
 * @param audioRoomCompositeCpuCost       audio-only room composite that still runs Chrome; default 1
 * @param sdkAudioRoomCompositeCpuCost    audio-only room composite without Chrome; default = audio room composite
 * @param sdkAudioRoomCompositeMemoryCost GB for audio-only room composite without Chrome; default = memory cost
 * @param nativeRoomCompositeCpuCost      room composite / template with video drawn without a browser
 *                                        ({@code room_composite_renderer: native}); default 2 (not upstream's)
 * @param webCpuCost                      web egress with video; default 4
 * @param audioWebCpuCost                 audio-only web egress; default 1
 * @param participantCpuCost              participant egress and transcoded media egress; default 2
 * @param trackCompositeCpuCost           track composite egress; default 1
 * @param trackCpuCost                    track egress and passthrough media egress; default 0.5
 * @param maxPulseClients                 PulseAudio client limit for admitting Chrome-based egress; default 60
 * @param memorySource                    how memory usage is measured
 * @param memoryKillGraceSec              update cycles over {@code maxMemory} before the largest egress is killed
 * @param cpuKillGraceSec                 seconds a CPU-overload stop may drain before a hard kill; default 30
 */
public record CpuCostConfig(
        double maxCpuUtilization,
        double maxMemory,
        double memoryCost,
        double roomCompositeCpuCost,
        double audioRoomCompositeCpuCost,
        double sdkAudioRoomCompositeCpuCost,
        double sdkAudioRoomCompositeMemoryCost,
        double nativeRoomCompositeCpuCost,
        double webCpuCost,
        double audioWebCpuCost,
        double participantCpuCost,
        double trackCompositeCpuCost,
        double trackCpuCost,
        int maxPulseClients,
        MemorySource memorySource,
        int memoryKillGraceSec,
        int cpuKillGraceSec) {

    /** How used memory is measured ({@code memory_source}). */
    public enum MemorySource {
        /** Sum of the resident set sizes of the egress processes (default). */
        PROC_RSS("proc_rss"),
        /** The container's cgroup working set; falls back to RSS when it cannot be read. */
        CGROUP("cgroup");

        private final String configName;

        MemorySource(String configName) {
            this.configName = configName;
        }

        /** The spelling used in the config file. */
        public String configName() {
            return configName;
        }
    }
}
