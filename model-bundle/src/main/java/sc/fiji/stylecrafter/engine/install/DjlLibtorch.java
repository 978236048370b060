package sc.fiji.stylecrafter.engine.install;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.sun.jna.Function;
import com.sun.jna.Platform;
import com.sun.jna.WString;

/**
 * Points DJL at a libtorch folder, the one way StyleCrafter chooses a libtorch: DJL reads {@code PYTORCH_LIBRARY_PATH},
 * {@code PYTORCH_VERSION}, {@code PYTORCH_FLAVOR} and {@code ENGINE_CACHE_DIR} once, when its engine starts, from the
 * environment, else from the system properties; on Windows the folder is also added to the DLL search path. Used for
 * this process by {@code RuntimeSelection} and, before an install, by {@link LoadCheck}'s child process, so that the
 * check loads the candidate exactly as a later start does.
 */
public final class DjlLibtorch {

	/** The environment variables DJL reads first: a child process that must load a given libtorch has them removed. */
	public static final List<String> ENVIRONMENT = List.of("PYTORCH_LIBRARY_PATH", "PYTORCH_VERSION", "PYTORCH_FLAVOR", "ENGINE_CACHE_DIR");

	private DjlLibtorch() {}

	/** The system properties that point DJL at {@code r}. */
	public static Map<String, String> properties(InstalledRuntime r) {
		return Map.of("PYTORCH_LIBRARY_PATH", r.libDir().toAbsolutePath().toString(), "PYTORCH_VERSION", r.version(), "PYTORCH_FLAVOR", r.flavor(),
			"ENGINE_CACHE_DIR", r.engineCacheDir().toAbsolutePath().toString());
	}

	/**
	 * Sets {@link #properties} (the engine cache only where the user did not set {@code ENGINE_CACHE_DIR} in the
	 * environment) and, on Windows, the DLL search path.
	 *
	 * @return a warning when the DLL search path could not be set, else {@code null}
	 */
	public static String point(InstalledRuntime r) {
		for (Map.Entry<String, String> e : properties(r).entrySet()) {
			if (e.getKey().equals("ENGINE_CACHE_DIR") && System.getenv("ENGINE_CACHE_DIR") != null) continue;
			System.setProperty(e.getKey(), e.getValue());
		}
		if (!Platform.isWindows()) return null;
		// CUDA's DLLs in a folder outside the system's search path do not find each other without this
		Path lib = r.libDir().toAbsolutePath();
		Function f = Function.getFunction("kernel32", "SetDllDirectoryW");
		Object ok = f.invoke(Integer.class, new Object[] { new WString(lib.toString()) });
		return ok instanceof Integer i && i != 0 ? null : "the DLL search path could not be set to " + lib;
	}
}
