package devseed

// The word lists the generator draws from. Names are a mix of the
// languages Foyer's customers sign up in, some with letters outside
// ASCII (addresses and usernames get their ASCII spelling, asciiFold).

var givenNames = []string{
	"Anna", "Lukas", "Emma", "Leon", "Mia", "Finn", "Hannah", "Jonas", "Sofia", "Noah",
	"Lea", "Elias", "Marie", "Paul", "Lena", "Ben", "Clara", "Felix", "Laura", "Maximilian",
	"Julia", "Tim", "Sarah", "David", "Lisa", "Jan", "Katharina", "Tobias", "Johanna", "Moritz",
	"Olivia", "James", "Amelia", "Oliver", "Isla", "George", "Ava", "Harry", "Emily", "Jack",
	"Charlotte", "Thomas", "Grace", "William", "Chloe", "Daniel", "Lucy", "Samuel", "Ella", "Joseph",
	"Léa", "Hugo", "Chloé", "Louis", "Manon", "Gabriel", "Camille", "Raphaël", "Inès", "Arthur",
	"Lucía", "Mateo", "Martina", "Hugo", "Paula", "Martín", "Valeria", "Pablo", "Carmen", "Alejandro",
	"Giulia", "Francesco", "Aurora", "Alessandro", "Ginevra", "Lorenzo", "Beatrice", "Matteo", "Chiara", "Andrea",
	"Sanne", "Daan", "Fleur", "Sem", "Noor", "Lars", "Ingrid", "Erik", "Astrid", "Nils",
	"Zofia", "Jakub", "Maja", "Kacper", "Aleksandra", "Piotr", "Zoë", "Björn", "Åsa", "Søren",
	"Mehmet", "Elif", "Ahmet", "Zeynep", "Yusuf", "Ayşe", "Omar", "Layla", "Ali", "Fatima",
	"Priya", "Arjun", "Ananya", "Rohan", "Mei", "Wei", "Yuki", "Haruto", "Ji-woo", "Min-jun",
	"Ana", "João", "Beatriz", "Tiago", "Mariana", "Rafael", "Olga", "Dmitri", "Irina", "Sergei",
	"Kofi", "Amara", "Chidi", "Zanele", "Sipho", "Nia", "Mateus", "Isabela", "Diego", "Camila",
}

var familyNames = []string{
	"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
	"Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
	"Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann",
	"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson", "Wright",
	"Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson", "Clarke",
	"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
	"Lefèvre", "Garnier", "Faure", "Rousseau", "Fontaine", "García", "Fernández", "González", "Rodríguez", "López",
	"Martínez", "Sánchez", "Pérez", "Gómez", "Ruiz", "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi",
	"Romano", "Colombo", "Ricci", "Marino", "Greco", "de Jong", "Jansen", "de Vries", "van den Berg", "Bakker",
	"Visser", "Smit", "Johansson", "Andersson", "Karlsson", "Nilsson", "Eriksson", "Larsen", "Hansen", "Nielsen",
	"Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamińska", "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik",
	"Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues", "Almeida", "Ivanova", "Petrov",
	"Kumar", "Sharma", "Patel", "Singh", "Chen", "Wang", "Li", "Zhang", "Tanaka", "Suzuki",
	"Kim", "Park", "Lee", "Nguyen", "Tran", "Okafor", "Mensah", "Dlamini", "Haddad", "Khalil",
}

// mailDomains are reserved names (RFC 2606 and 6761): seeded addresses look
// real but can never reach anyone's inbox.
var mailDomains = []string{
	"example.com", "example.com", "example.com", "example.net", "example.org",
	"mail.example", "inbox.example", "post.example", "web.example", "mailbox.example.org",
	"freemail.example", "posteo.example",
}

// workDomains are the organizations' and work addresses' domains.
var workDomains = []string{"acme.example", "globex.example", "initech.example", "umbrella.example",
	"hooli.example", "stark.example", "wayne.example", "wonka.example"}

var cities = []struct{ city, country, code string }{
	{"Berlin", "Germany", "DE"}, {"Hamburg", "Germany", "DE"}, {"München", "Germany", "DE"},
	{"Köln", "Germany", "DE"}, {"Frankfurt am Main", "Germany", "DE"}, {"Leipzig", "Germany", "DE"},
	{"Wien", "Austria", "AT"}, {"Graz", "Austria", "AT"}, {"Zürich", "Switzerland", "CH"},
	{"Genève", "Switzerland", "CH"}, {"London", "United Kingdom", "GB"}, {"Manchester", "United Kingdom", "GB"},
	{"Edinburgh", "United Kingdom", "GB"}, {"Dublin", "Ireland", "IE"}, {"Paris", "France", "FR"},
	{"Lyon", "France", "FR"}, {"Marseille", "France", "FR"}, {"Madrid", "Spain", "ES"},
	{"Barcelona", "Spain", "ES"}, {"Valencia", "Spain", "ES"}, {"Roma", "Italy", "IT"},
	{"Milano", "Italy", "IT"}, {"Amsterdam", "Netherlands", "NL"}, {"Rotterdam", "Netherlands", "NL"},
	{"Bruxelles", "Belgium", "BE"}, {"København", "Denmark", "DK"}, {"Stockholm", "Sweden", "SE"},
	{"Oslo", "Norway", "NO"}, {"Helsinki", "Finland", "FI"}, {"Warszawa", "Poland", "PL"},
	{"Kraków", "Poland", "PL"}, {"Praha", "Czechia", "CZ"}, {"Lisboa", "Portugal", "PT"},
	{"Porto", "Portugal", "PT"}, {"İstanbul", "Türkiye", "TR"}, {"New York", "United States", "US"},
	{"San Francisco", "United States", "US"}, {"Chicago", "United States", "US"}, {"Toronto", "Canada", "CA"},
	{"Sydney", "Australia", "AU"}, {"Tokyo", "Japan", "JP"}, {"Seoul", "South Korea", "KR"},
	{"Bengaluru", "India", "IN"}, {"São Paulo", "Brazil", "BR"}, {"Ciudad de México", "Mexico", "MX"},
	{"Cape Town", "South Africa", "ZA"}, {"Lagos", "Nigeria", "NG"}, {"Singapore", "Singapore", "SG"},
}

var streets = []string{"Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee", "High Street", "Station Road",
	"Church Lane", "Rue de la Paix", "Calle Mayor", "Via Roma", "Kerkstraat", "Storgatan", "Main Street", "Oak Avenue"}

var companies = []string{"Acme GmbH", "Globex Corporation", "Initech", "Umbrella AG", "Hooli", "Stark Industries",
	"Wayne Enterprises", "Wonka Industries", "Soylent Ltd", "Tyrell Corp", "Cyberdyne Systems", "Vandelay Industries",
	"Nordwind Logistik", "Blue Harbor Bank", "Lumen Health", "Kettle & Co"}

var jobTitles = []string{"Software Engineer", "Product Manager", "Accountant", "Nurse", "Teacher", "Sales Manager",
	"Designer", "Consultant", "Student", "Pharmacist", "Electrician", "Data Analyst", "Marketing Lead", "Architect"}

var departments = []string{"Sales", "Engineering", "Finance", "Support", "Marketing", "Operations", "Legal", "HR"}

var words = []string{"alpha", "bravo", "delta", "echo", "harbor", "meadow", "summit", "cobalt", "amber", "willow",
	"granite", "saffron", "maple", "orbit", "quartz", "river", "ember", "juniper", "lagoon", "nimbus"}

// groupNames are the first groups the seed creates; more get cohort names.
var groupNames = []string{"Premium", "Newsletter", "Beta testers", "Early access", "VIP", "Staff", "Partners",
	"Support tier 2", "Region EMEA", "Region Americas", "Region APAC", "Loyalty gold", "Loyalty silver",
	"Students", "Churn risk", "Trial", "Enterprise", "Developers", "Press", "Ambassadors"}

var organizationNames = []string{"Acme GmbH", "Globex Corporation", "Initech", "Umbrella AG", "Hooli",
	"Stark Industries", "Wayne Enterprises", "Wonka Industries"}

var roleNames = []struct{ name, description string }{
	{"viewer", "Reads the organization's data"},
	{"editor", "Changes the organization's data"},
	{"billing", "Manages invoices and payment"},
	{"org-admin", "Manages the organization's members"},
}

var userAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
	"Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
}

// providers are the external identity providers seeded links name.
var providers = []string{"google", "google", "google", "apple", "microsoft", "github", "facebook"}

// languages weight the account's language; "" is unset.
var languages = []string{"en", "en", "en", "de", "de", "fr", "es", "it", "nl", "pl", "", ""}

// phonePrefixes all have five characters, so that the eight digits after
// them (the account's number) keep every seeded phone number distinct.
var phonePrefixes = []string{"+4915", "+4916", "+4917", "+4366", "+4176", "+4479", "+3361", "+3460", "+3932", "+3161"}
