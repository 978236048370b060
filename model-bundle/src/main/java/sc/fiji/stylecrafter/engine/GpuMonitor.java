package sc.fiji.stylecrafter.engine;

import java.util.Locale;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * Samples one GPU's memory in use and utilisation through NVIDIA's management library (NVML, part of the driver), every
 * 100 ms on a daemon thread, for benchmarks: DJL 0.36 exposes none of libtorch's CUDA memory statistics. The memory is
 * the device's (all processes), so a benchmark should run alone on the GPU.
 */
public final class GpuMonitor implements AutoCloseable {

	/** The NVML calls used (all return 0 on success). */
	public interface Nvml extends Library {
		int nvmlInit_v2();
		int nvmlShutdown();
		int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);
		/** {@code nvmlMemory_t}: total, free, used (three unsigned 64-bit integers). */
		int nvmlDeviceGetMemoryInfo(Pointer device, long[] memory);
		/** {@code nvmlUtilization_t}: gpu, memory (percent, two unsigned 32-bit integers). */
		int nvmlDeviceGetUtilizationRates(Pointer device, int[] utilization);
	}

	private final Nvml nvml;
	private final Pointer device;
	private final Thread thread;
	private volatile boolean running = true;
	private volatile long peakUsed, startUsed;
	private volatile double utilSum;
	private volatile int samples, utilMax;

	private GpuMonitor(Nvml nvml, Pointer device) {
		this.nvml = nvml;
		this.device = device;
		long[] mem = new long[3];
		nvml.nvmlDeviceGetMemoryInfo(device, mem);
		startUsed = peakUsed = mem[2];
		thread = new Thread(this::sample, "StyleCrafter GPU monitor");
		thread.setDaemon(true);
		thread.start();
	}

	/** A monitor of GPU {@code index}, or {@code null} where NVML cannot be loaded (no NVIDIA driver). */
	public static GpuMonitor start(int index) {
		try {
			Nvml nvml = Native.load(Platform.isWindows() ? "nvml" : "libnvidia-ml.so.1", Nvml.class);
			if (nvml.nvmlInit_v2() != 0) return null;
			PointerByReference dev = new PointerByReference();
			if (nvml.nvmlDeviceGetHandleByIndex_v2(index, dev) != 0) return null;
			return new GpuMonitor(nvml, dev.getValue());
		}
		catch (UnsatisfiedLinkError | RuntimeException e) {
			return null;
		}
	}

	private void sample() {
		long[] mem = new long[3];
		int[] util = new int[2];
		while (running) {
			if (nvml.nvmlDeviceGetMemoryInfo(device, mem) == 0) peakUsed = Math.max(peakUsed, mem[2]);
			if (nvml.nvmlDeviceGetUtilizationRates(device, util) == 0) {
				utilSum += util[0];
				utilMax = Math.max(utilMax, util[0]);
				samples++;
			}
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException e) {
				return;
			}
		}
	}

	/** Peak device memory in use since the start, in bytes. */
	public long peakUsedBytes() {
		return peakUsed;
	}

	/** Device memory in use when the monitor started. */
	public long startUsedBytes() {
		return startUsed;
	}

	public String summary() {
		return String.format(Locale.ROOT, "GPU memory in use: peak %.2f GB (%.2f GB at start); GPU utilisation: mean %.0f%%, max %d%% (%d samples)",
			peakUsed / 1e9, startUsed / 1e9, samples == 0 ? Double.NaN : utilSum / samples, utilMax, samples);
	}

	@Override
	public void close() {
		running = false;
		thread.interrupt();
		try {
			thread.join(1000);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		nvml.nvmlShutdown();
	}
}
