package sc.fiji.stylecrafter.model;

import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import sc.fiji.stylecrafter.download.HuggingFaceEndpoint;
import sc.fiji.stylecrafter.download.Licence;
import sc.fiji.stylecrafter.download.ModelFile;

/**
 * The five files of a model folder, with their official addresses, sizes and SHA-256 (from the repositories' LFS
 * pointers). Hugging Face files are fetched from {@code https://huggingface.co/<repository>/resolve/<revision>/<file>},
 * or from a mirror ({@link #withEndpoint}); the tokenizer vocabulary comes from GitHub.
 *
 * <p>The revisions are {@code main}: the commit hashes of the three Hugging Face repositories could not be looked up
 * when this was written. The SHA-256 pins the content regardless: a file changed upstream fails its check and is
 * kept aside, never used.
 */
public record Catalogue(List<ModelFile> files, Function<ModelFile, URI> address) {

	public static final Catalogue OFFICIAL = new Catalogue(List.of(
		new ModelFile("model.ckpt", "VideoCrafter/Text2Video-512", "main", "model.ckpt", 6_329_434_025L,
			"aa7347ece8b3c96200b8aab4181301b707075bd5e83b637379c124ff229d2c9c", Licence.RESEARCH_NON_COMMERCIAL),
		new ModelFile("adapter_v1.pth", "liuhuohuo/StyleCrafter", "main", "adapter_v1.pth", 444_788_383L,
			"a752082647396eecf1c12b5d555dae52e1d89d13d45b460542de272901a9f6c2", Licence.RESEARCH_NON_COMMERCIAL),
		new ModelFile("temporal_v1_1.pth", "liuhuohuo/StyleCrafter", "main", "temporal_v1_1.pth", 1_114_398_441L,
			"5e26ca2d6392ae327cf984eda9986f33326fd50ed7d8649db963d10633e47ead", Licence.RESEARCH_NON_COMMERCIAL),
		new ModelFile("open_clip_pytorch_model.bin", "laion/CLIP-ViT-H-14-laion2B-s32B-b79K", "main", "open_clip_pytorch_model.bin", 3_944_692_325L,
			"9a78ef8e8c73fd0df621682e7a8e8eb36c6916cb3c16b291a082ecd52ab79cc4", Licence.MIT_OPENCLIP),
		new ModelFile("bpe_simple_vocab_16e6.txt.gz", "mlfoundations/open_clip", "v2.24.0", "src/open_clip/bpe_simple_vocab_16e6.txt.gz", 1_356_917L,
			"924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a", Licence.MIT_OPENCLIP)),
		Catalogue::officialAddress);

	public Catalogue {
		files = List.copyOf(files);
	}

	/** The repositories published on GitHub rather than Hugging Face. */
	private static final Set<String> ON_GITHUB = Set.of("mlfoundations/open_clip");

	private static URI officialAddress(ModelFile f) {
		if (!onHuggingFace(f)) {
			return URI.create("https://raw.githubusercontent.com/" + f.repository() + "/" + f.revision() + "/" + f.pathInRepository());
		}
		return HuggingFaceEndpoint.resolve(HuggingFaceEndpoint.OFFICIAL, f);
	}

	/** True for a file published on Hugging Face (a mirror of Hugging Face has it); false for the GitHub vocabulary. */
	public static boolean onHuggingFace(ModelFile f) {
		return !ON_GITHUB.contains(f.repository());
	}

	/**
	 * The same files, those published on Hugging Face fetched from {@code endpoint} (a mirror, as {@code HF_ENDPOINT}
	 * names one: {@code <endpoint>/<repository>/resolve/<revision>/<path>}); the others from where they were.
	 */
	public Catalogue withEndpoint(URI endpoint) {
		Function<ModelFile, URI> before = address;
		return new Catalogue(files, f -> onHuggingFace(f) ? HuggingFaceEndpoint.resolve(endpoint, f) : before.apply(f));
	}

	/** A catalogue of the same files served from {@code base} ({@code base + name}), e.g. a mirror or a test server. */
	public static Catalogue at(URI base, List<ModelFile> files) {
		return new Catalogue(files, f -> base.resolve(f.name()));
	}

	public Optional<ModelFile> file(String name) {
		return files.stream().filter(f -> f.name().equals(name)).findFirst();
	}

	public long totalBytes() {
		return files.stream().mapToLong(ModelFile::bytes).sum();
	}
}
