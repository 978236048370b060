package sc.fiji.stylecrafter.download;

/**
 * One file of the model folder as the catalogue knows it: where it comes from, how big it is and its SHA-256.
 *
 * @param name the file's name in the model folder
 * @param repository where it is published ({@code org/name} on Hugging Face, or a GitHub repository)
 * @param revision the repository revision the address is pinned to
 * @param pathInRepository the file's path inside the repository
 * @param bytes its size
 * @param sha256 its SHA-256, lower-case hex
 * @param licence the terms it is published under
 */
public record ModelFile(String name, String repository, String revision, String pathInRepository, long bytes, String sha256, Licence licence) {

	public ModelFile {
		if (bytes < 0) throw new IllegalArgumentException(name + ": negative size");
		if (!sha256.matches("[0-9a-f]{64}")) throw new IllegalArgumentException(name + ": '" + sha256 + "' is not a SHA-256 in lower-case hex");
	}
}
