package sc.fiji.stylecrafter.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import ai.djl.util.Utils;
import sc.fiji.stylecrafter.engine.install.DjlLibtorch;
import sc.fiji.stylecrafter.engine.install.InstalledRuntime;
import sc.fiji.stylecrafter.engine.install.LibtorchArchive;
import sc.fiji.stylecrafter.engine.install.RuntimeInstaller;

/**
 * Chooses, before DJL's engine loads, which libtorch it loads: an installed GPU runtime when this machine's NVIDIA driver
 * can run it, else the CPU libtorch in the {@code pytorch-native-cpu} jar. DJL reads where to look once, when the engine
 * starts ({@code PYTORCH_LIBRARY_PATH}, {@code PYTORCH_VERSION}, {@code PYTORCH_FLAVOR}, {@code ENGINE_CACHE_DIR}, each from
 * the environment, else from the system properties; DJL 0.36's {@code LibUtils}), so the choice is made by
 * setting those system properties, and on Windows by adding the runtime's folder to the DLL search path
 * ({@link DjlLibtorch}). A choice the user made in the environment is left alone; {@code -Dstylecrafter.runtime=cpu}
 * keeps the CPU libtorch. A runtime known not to load (its install's check or an earlier start said so, or its libraries
 * are for another platform) is passed over before DJL starts, with a notice: a process whose libtorch failed to load
 * cannot load another.
 */
public final class RuntimeSelection {

	/** System property: {@code auto} (default) or {@code cpu}. */
	public static final String CHOICE_PROPERTY = "stylecrafter.runtime";
	/** DJL: cuDNN's benchmark mode, read when the engine starts. */
	static final String CUDNN_BENCHMARK = "ai.djl.pytorch.cudnn_benchmark";

	/**
	 * What was chosen and why.
	 *
	 * @param runtime the installed runtime DJL is pointed at, or {@code null} for the libtorch DJL finds by itself
	 * @param reason why, in a user's words
	 * @param notice what the user must be told at start-up (an installed runtime that cannot be loaded), or {@code null}
	 */
	public record Choice(InstalledRuntime runtime, String reason, String notice) {

		/** A choice that needs no notice. */
		public Choice(InstalledRuntime runtime, String reason) {
			this(runtime, reason, null);
		}
	}

	private static Choice made;
	private static Path madeFor;

	private RuntimeSelection() {}

	/** The choice made in this process, if one was. */
	public static synchronized Optional<Choice> made() {
		return Optional.ofNullable(made);
	}

	/** The choice made in this process, if one was and it was made from the runtime folder {@code root}. */
	public static synchronized Optional<Choice> made(Path root) {
		return made != null && sameFolder(madeFor, root) ? Optional.of(made) : Optional.empty();
	}

	/** Makes the choice once per process (later calls return the first choice) from the default runtime folder. */
	public static synchronized Choice select() {
		if (made == null) {
			madeFor = RuntimeInstaller.defaultFolder();
			made = apply(decide(madeFor, NvidiaDriver::probe, EngineState.loadedLibtorch()));
		}
		return made;
	}

	/** Whether two runtime folders are the same (as absolute, normalised paths). */
	static boolean sameFolder(Path a, Path b) {
		return a != null && b != null && a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
	}

	/** {@code stylecrafter runtime remove}, with {@code --dir} when {@code root} is not the default runtime folder. */
	public static String removeCommand(Path root) {
		return "stylecrafter runtime remove" + (sameFolder(root, RuntimeInstaller.defaultFolder()) ? "" : " --dir " + root);
	}

	/** The runtimes installed in {@code root} for this platform, complete ones only, CUDA ones first. */
	public static List<InstalledRuntime> installed(Path root, String classifier) {
		return scan(root, classifier).stream().filter(InstalledRuntime.Check::ok).map(InstalledRuntime.Check::runtime)
			.sorted(Comparator.comparing((InstalledRuntime r) -> !r.isCuda()).thenComparing(InstalledRuntime::flavor)).toList();
	}

	/** Why runtime folders of this platform are not usable (damaged, unfinished, cannot be loaded), for the status. */
	public static List<String> problems(Path root, String classifier) {
		return scan(root, classifier).stream().filter(c -> !c.ok()).map(InstalledRuntime.Check::problem).toList();
	}

	/** Every libtorch {@value LibtorchArchive#LIBTORCH_VERSION} runtime folder of this platform in {@code root}, read. */
	private static List<InstalledRuntime.Check> scan(Path root, String classifier) {
		if (!Files.isDirectory(root)) return List.of();
		try (Stream<Path> s = Files.list(root)) {
			return s.filter(p -> p.getFileName().toString().startsWith("libtorch-" + LibtorchArchive.LIBTORCH_VERSION + "-")
				&& p.getFileName().toString().endsWith("-" + classifier)).sorted().map(InstalledRuntime::read).toList();
		}
		catch (IOException e) {
			return List.of(new InstalledRuntime.Check(null, root + " cannot be read: " + e.getMessage()));
		}
	}

	/**
	 * The choice for this machine, without applying it.
	 *
	 * @param root the runtime folder
	 * @param driver asks the NVIDIA driver (only when a CUDA runtime is installed)
	 * @param loaded where the libtorch of this process was loaded from, if it was
	 */
	public static Choice decide(Path root, java.util.function.Supplier<NvidiaDriver.Report> driver, Optional<Path> loaded) {
		String env = Utils.getEnvOrSystemProperty("PYTORCH_LIBRARY_PATH"); // read as DJL reads it
		if (env != null && !env.isBlank()) return new Choice(null, "PYTORCH_LIBRARY_PATH is set (" + env + "): DJL loads the libtorch there");
		if (System.getenv("PYTORCH_VERSION") != null || System.getenv("PYTORCH_FLAVOR") != null) {
			return new Choice(null, "PYTORCH_VERSION or PYTORCH_FLAVOR is set in the environment: DJL follows them");
		}
		if ("cpu".equalsIgnoreCase(System.getProperty(CHOICE_PROPERTY, "auto"))) return new Choice(null, "the CPU libtorch was asked for (" + CHOICE_PROPERTY + "=cpu)");
		List<InstalledRuntime> runtimes = installed(root, LibtorchArchive.currentClassifier());
		if (runtimes.isEmpty()) {
			Optional<InstalledRuntime.Check> broken = scan(root, LibtorchArchive.currentClassifier()).stream().filter(InstalledRuntime.Check::unloadable).findFirst();
			if (broken.isPresent()) {
				String notice = "StyleCrafter uses the CPU libtorch: the GPU runtime " + broken.get().problem() + ". Install it again, or remove it: "
					+ removeCommand(root);
				return new Choice(null, notice, notice);
			}
			return new Choice(null, "no GPU runtime is installed in " + root);
		}
		InstalledRuntime r = runtimes.get(0);
		if (r.isCuda()) {
			String why = GpuCheck.driverProblem(driver.get());
			if (why != null) return new Choice(null, "the GPU runtime in " + r.dir() + " is installed but not used: " + why);
		}
		if (loaded.isPresent()) {
			return new Choice(null, "the runtime in " + r.dir() + " is installed, but the PyTorch engine of this process was loaded before (from "
				+ loaded.get() + "): restart Fiji (or the program) to use it");
		}
		return new Choice(r, "the runtime installed in " + r.dir() + " (libtorch " + r.version() + " " + r.flavor() + ")");
	}

	/**
	 * Points DJL at the chosen runtime (nothing to do when none was chosen), and turns cuDNN's benchmark mode on for a
	 * CUDA libtorch: the chosen runtime, or the user's own ({@code PYTORCH_FLAVOR} cu... in the environment or the
	 * properties).
	 */
	static Choice apply(Choice c) {
		InstalledRuntime r = c.runtime();
		String flavor = r != null ? r.flavor() : Utils.getEnvOrSystemProperty("PYTORCH_FLAVOR", "");
		if (InstalledRuntime.isCudaFlavor(flavor) && System.getProperty(CUDNN_BENCHMARK) == null) {
			System.setProperty(CUDNN_BENCHMARK, "true"); // fixed shapes: let cuDNN pick its fastest kernels once
		}
		if (r == null) return c;
		String warning = DjlLibtorch.point(r);
		return warning == null ? c : new Choice(r, c.reason() + " (warning: " + warning + ")", c.notice());
	}
}
