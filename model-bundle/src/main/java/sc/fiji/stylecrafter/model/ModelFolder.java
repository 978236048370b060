package sc.fiji.stylecrafter.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import sc.fiji.stylecrafter.io.Checkpoint;
import sc.fiji.stylecrafter.io.Checkpoints;
import sc.fiji.stylecrafter.download.ModelFile;

/**
 * Where a model folder's files really are. Each weight file is taken, in this order, under its official name, from
 * a Hugging Face cache laid out in the folder ({@code models--org--name/snapshots/<revision>/<file>}, also under
 * {@code hub/}), or from any weight file in the folder whose keys say what it is ({@code .ckpt}, {@code .pth},
 * {@code .bin}, {@code .pt}, {@code .safetensors}; only the metadata is read). The tokenizer vocabulary is taken from
 * the folder or such a cache ({@code bpe_simple_vocab_16e6.txt.gz}, or {@code vocab.json} with {@code merges.txt}).
 * Users may thus keep the names their downloads came with.
 *
 * @param weights the file found for each weight file (missing ones absent)
 * @param tokenizer the folder (or file) holding the vocabulary, or {@code null} if none was found
 * @param found one line per file found other than under its official name
 */
public record ModelFolder(Path folder, Map<WeightFile, Path> weights, Path tokenizer, List<String> found) {

	private static final List<String> EXTENSIONS = List.of(".ckpt", ".pth", ".bin", ".pt", ".safetensors");
	private static final String VOCAB = "bpe_simple_vocab_16e6.txt.gz";

	public ModelFolder {
		weights = Collections.unmodifiableMap(new EnumMap<>(weights));
		found = List.copyOf(found);
	}

	/** Looks for every file of the model in {@code folder}. */
	public static ModelFolder locate(Path folder) {
		Map<WeightFile, Path> weights = new EnumMap<>(WeightFile.class);
		List<String> found = new ArrayList<>();
		for (WeightFile w : WeightFile.values()) {
			Path p = folder.resolve(w.fileName());
			if (Files.isRegularFile(p)) weights.put(w, p);
		}
		for (WeightFile w : WeightFile.values()) {
			if (weights.containsKey(w)) continue;
			ModelFile f = Catalogue.OFFICIAL.file(w.fileName()).orElseThrow();
			inCache(folder, f.repository(), f.pathInRepository()).ifPresent(p -> {
				weights.put(w, p);
				found.add(w.fileName() + ": found in the Hugging Face cache as " + folder.relativize(p));
			});
		}
		if (weights.size() < WeightFile.values().length) byContent(folder, weights, found);
		return new ModelFolder(folder, weights, tokenizer(folder, found), found);
	}

	/** The newest snapshot of {@code repository} in a Hugging Face cache at {@code root} (or {@code root/hub}) with the file. */
	static Optional<Path> inCache(Path root, String repository, String pathInRepository) {
		for (Path hub : List.of(root, root.resolve("hub"))) {
			Path snapshots = hub.resolve("models--" + repository.replace("/", "--")).resolve("snapshots");
			if (!Files.isDirectory(snapshots)) continue;
			try (Stream<Path> revisions = Files.list(snapshots)) {
				Optional<Path> hit = revisions.map(r -> r.resolve(pathInRepository)).filter(Files::isRegularFile)
					.max(Comparator.comparingLong(ModelFolder::modified));
				if (hit.isPresent()) return hit;
			}
			catch (IOException e) {
				// an unreadable cache is as good as none
			}
		}
		return Optional.empty();
	}

	private static long modified(Path p) {
		try {
			return Files.getLastModifiedTime(p).toMillis();
		}
		catch (IOException e) {
			return 0;
		}
	}

	private static void byContent(Path folder, Map<WeightFile, Path> weights, List<String> found) {
		Set<Path> taken = new HashSet<>(weights.values());
		List<Path> candidates;
		try (Stream<Path> files = Files.list(folder)) {
			candidates = files.filter(Files::isRegularFile).filter(p -> !taken.contains(p))
				.filter(p -> EXTENSIONS.stream().anyMatch(e -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(e))).sorted().toList();
		}
		catch (IOException e) {
			return;
		}
		for (Path p : candidates) {
			try (Checkpoint c = Checkpoints.open(p)) {
				WeightFile w = WeightFile.identify(c.tensors().keySet());
				if (w != null && !weights.containsKey(w)) {
					weights.put(w, p);
					found.add(w.fileName() + ": found as " + p.getFileName() + " (recognised by its keys)");
				}
			}
			catch (IOException | RuntimeException e) {
				// not a readable weight file: not one of ours
			}
		}
	}

	private static Path tokenizer(Path folder, List<String> found) {
		if (hasVocabulary(folder)) return folder;
		ModelFile vocab = Catalogue.OFFICIAL.file(VOCAB).orElseThrow();
		String clipRepo = Catalogue.OFFICIAL.file(WeightFile.OPEN_CLIP.fileName()).orElseThrow().repository();
		Optional<Path> gz = inCache(folder, vocab.repository(), vocab.pathInRepository());
		if (gz.isEmpty()) gz = inCache(folder, clipRepo, "vocab.json").map(Path::getParent).filter(ModelFolder::hasVocabulary);
		gz.ifPresent(p -> found.add("tokenizer: found in the Hugging Face cache as " + folder.relativize(p)));
		return gz.orElse(null);
	}

	private static boolean hasVocabulary(Path dir) {
		return Files.isRegularFile(dir.resolve(VOCAB)) || Files.isRegularFile(dir.resolve("vocab.json")) && Files.isRegularFile(dir.resolve("merges.txt"));
	}

	/** The files not found anywhere. */
	public List<WeightFile> missing() {
		List<WeightFile> m = new ArrayList<>();
		for (WeightFile w : WeightFile.values()) if (!weights.containsKey(w)) m.add(w);
		return m;
	}
}
