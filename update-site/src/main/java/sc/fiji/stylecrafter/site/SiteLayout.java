package sc.fiji.stylecrafter.site;

import java.util.Map;
import java.util.Set;

/**
 * Where each runtime jar goes on the update site, the one place with these rules.
 * <ul>
 * <li>Jars a stock Fiji already ships (SciJava, ImgLib2, ImageJ 1, and the libraries pom-scijava 40 manages and Fiji
 * installs: Gson, JNA, Commons IO/Codec/Compress, SLF4J) are not shipped: this build uses pom-scijava's versions of
 * them, so ours would be the same files claimed by a second site.</li>
 * <li>The plugin goes to {@code plugins/}, where Fiji users and the ImageJ 1 menu look for plugins; the model bundle
 * and the libraries to {@code jars/}.</li>
 * <li>DJL's jars get a {@code djl-} prefix: the updater matches files by name without version, and DJL's
 * {@code api-0.36.0.jar} would otherwise be {@code jars/api.jar}, a name any site could claim.</li>
 * <li>Native jars (libtorch's, FFmpeg's and JavaCPP's: one per operating system and processor) go to the updater's
 * platform folders, so each Fiji installs only its own; their classifier is dropped from the name (the folder says
 * it). JavaCV's jars keep their names: other Fiji sites ship the same files at the same (pom-scijava) versions.</li>
 * </ul>
 */
public final class SiteLayout {

	/** Group ids whose jars a stock Fiji ships. */
	static final Set<String> FIJI_GROUPS = Set.of("org.scijava", "net.imglib2", "net.imagej", "org.bushe", "com.googlecode.gentyref", "org.javassist",
		"javax.annotation", "net.java.dev.jna", "com.google.code.gson", "commons-io", "commons-codec", "org.apache.commons", "org.slf4j");

	/** DJL's and JavaCPP's classifiers, as the ImageJ updater names the platforms. */
	static final Map<String, String> PLATFORMS = Map.of("linux-x86_64", "linux64", "linux-aarch64", "linux-arm64", "linux-arm64", "linux-arm64",
		"win-x86_64", "win64", "windows-x86_64", "win64", "osx-aarch64", "macos-arm64", "macosx-arm64", "macos-arm64", "macosx-x86_64", "macos64");

	/** The plugin's artifact id. */
	static final String PLUGIN = "stylecrafter-plugin";

	private SiteLayout() {}

	/** True if a stock Fiji already has this jar. */
	public static boolean providedByFiji(Artifact a) {
		return FIJI_GROUPS.contains(a.groupId());
	}

	/** The platform a jar is for, or {@code null} for all. */
	public static String platform(Artifact a) {
		if (a.classifier() == null) return null;
		String p = PLATFORMS.get(a.classifier());
		if (p == null) throw new IllegalArgumentException(a + ": classifier '" + a.classifier() + "' has no update-site platform; known: " + PLATFORMS.keySet());
		return p;
	}

	/** The path of a shipped jar inside Fiji.app. */
	public static String path(Artifact a) {
		if (providedByFiji(a)) throw new IllegalArgumentException(a + " is provided by Fiji and not shipped");
		String name = a.artifactId();
		if (a.groupId().startsWith("ai.djl") && !name.startsWith("djl")) name = "djl-" + name;
		String platform = platform(a);
		String file = name + "-" + a.version() + ".jar";
		if (a.artifactId().equals(PLUGIN)) return "plugins/" + file;
		return platform == null ? "jars/" + file : "jars/" + platform + "/" + file;
	}
}
