package sc.fiji.stylecrafter.site;

import java.nio.file.Path;

/**
 * One Maven artifact file, as {@code dependency:copy-dependencies} lays it out with {@code useRepositoryLayout}:
 * {@code group/as/folders/artifactId/version/artifactId-version[-classifier].jar}.
 */
public record Artifact(String groupId, String artifactId, String version, String classifier, Path file) {

	/** Reads the coordinates from a file's place under {@code root}. */
	public static Artifact at(Path root, Path file) {
		Path rel = root.relativize(file);
		int n = rel.getNameCount();
		if (n < 4) throw new IllegalArgumentException(file + " is not laid out as group/artifact/version/file under " + root);
		String version = rel.getName(n - 2).toString();
		String artifactId = rel.getName(n - 3).toString();
		String group = rel.subpath(0, n - 3).toString().replace(rel.getFileSystem().getSeparator(), ".");
		String name = rel.getFileName().toString();
		String base = artifactId + "-" + version;
		if (!name.startsWith(base) || !name.endsWith(".jar")) throw new IllegalArgumentException(file + " is not named " + base + "[-classifier].jar");
		String rest = name.substring(base.length(), name.length() - 4);
		return new Artifact(group, artifactId, version, rest.startsWith("-") ? rest.substring(1) : null, file);
	}

	@Override
	public String toString() {
		return groupId + ":" + artifactId + ":" + version + (classifier == null ? "" : ":" + classifier);
	}
}
